package main

import (
	"context"
	"strings"
	"testing"
)

// TestFlagWordsInEngineErrors: an engine error about a setting reaches the
// user in the command line's words (the internal packages name no flags).
// Nothing is sent: the client is refused before the run starts.
func TestFlagWordsInEngineErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "https://127.0.0.1:1/", "--client", "h1", "--rate", "5", "--duration", "1s", "-q"},
			"bploadgen: --client h1 needs a plain http: URL with no proxy and no --http2\n"},
		{[]string{"capacity", "https://127.0.0.1:1/", "--client", "loop", "--slo", "p99<1s", "--min", "100", "--budget", "2m", "-q"},
			"bploadgen: --client loop needs a plain http: URL with no proxy and no --http2\n"},
		{[]string{"capacity", "http://127.0.0.1:1/"}, "bploadgen: capacity: no SLO: give at least one, e.g. --slo 'p99 < 100ms'\n"},
		{[]string{"capacity", "http://127.0.0.1:1/", "--slo", "rps > 5"},
			"bploadgen: capacity: SLO \"rps > 5\": rps rises with the offered rate, so it bounds no capacity (give --require R for the capacity you need)\n"},
	} {
		code, out, errs := execMain(t, context.Background(), tc.args...)
		if code != exitUsage || out != "" || errs != tc.want {
			t.Errorf("%s: exit %d, stdout %q, stderr\n %q\nwant\n %q", strings.Join(tc.args, " "), code, out, errs, tc.want)
		}
	}
}
