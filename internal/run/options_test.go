package run

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// TestOptionsValidate: each invalid option is an *InputError naming the
// setting as name renders it (a command line's flags here), and the
// defaults and a full valid set pass.
func TestOptionsValidate(t *testing.T) {
	flag := func(s string) string { return "--" + strings.ReplaceAll(s, "_", "-") }
	for _, tt := range []struct {
		name string
		o    Options
		want string // "": valid
	}{
		{"zero", Options{}, ""},
		{"all set", Options{Grace: time.Second, TimerSlack: time.Millisecond, Loops: 2, MetricsListen: "127.0.0.1:0",
			MetricsLinger: time.Second, Scrape: "http://127.0.0.1:9/metrics"}, ""},
		{"grace", Options{Grace: -1}, "--grace must be > 0"},
		{"timer slack", Options{TimerSlack: -2}, "--timer-slack must be >= 0"},
		{"loops", Options{Loops: -1}, "--loops must be >= 0"},
		{"linger", Options{MetricsListen: "127.0.0.1:0", MetricsLinger: -1}, "--metrics-linger must be >= 0"},
		{"linger alone", Options{MetricsLinger: time.Second}, "--metrics-linger needs --metrics-listen"},
		{"scrape", Options{Scrape: "ftp://x"}, `--scrape: invalid URL "ftp://x": the scheme must be http or https`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.Validate(flag)
			var ie *InputError
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("error %v, want none", err)
			case tt.want != "" && (!errors.As(err, &ie) || err.Error() != tt.want):
				t.Errorf("error %v (%T), want the *InputError %q", err, err, tt.want)
			}
		})
	}
	if err := (&Options{Loops: -1}).Validate(nil); err == nil || err.Error() != "loops must be >= 0" {
		t.Errorf("nil name: %v, want the key", err)
	}
}
