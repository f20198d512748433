package dist

import (
	"errors"
	"math"
	"testing"
)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in           string
		want         Dist
		named        bool
		err, timeErr bool
	}{
		{"10ms", Dist{Kind: Exponential, Mean: 0.01}, false, false, false},
		{" 1.5s ", Dist{Kind: Exponential, Mean: 1.5}, false, false, false},
		{"exp:20ms", Dist{Kind: Exponential, Mean: 0.02}, true, false, false},
		{"det:5ms", Dist{Kind: Deterministic, Mean: 0.005}, true, false, false},
		{"lognormal:10ms,0.5", Dist{Kind: Lognormal, Mean: 0.01, Sigma: 0.5}, true, false, false},
		{"fast", Dist{}, false, true, true},
		{"-10ms", Dist{}, false, true, true},
		{"0s", Dist{}, false, true, true},
		{"", Dist{}, false, true, true},
		{"1e400ms", Dist{}, false, true, true},
		{"uniform:10ms", Dist{}, true, true, false}, // named, but no such family
		{"exp:-1ms", Dist{}, true, true, false},
	}
	for _, tt := range tests {
		got, named, err := ParseTime(tt.in)
		var te *TimeError
		if (err != nil) != tt.err || named != tt.named || errors.As(err, &te) != tt.timeErr || (err == nil && got != tt.want) {
			t.Errorf("ParseTime(%q) = %+v, %v, %v; want %+v, named %v, error %v (TimeError %v)", tt.in, got, named, err, tt.want, tt.named, tt.err, tt.timeErr)
		}
	}
	if _, _, err := ParseTime("fast"); err.Error() != `"fast": want a positive duration like 10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5` {
		t.Errorf("message %q", err)
	}
}

// FuzzParseTime: ParseTime never panics, and what it accepts has a finite
// mean > 0 and, when named, a valid distribution.
// Run: go test -run XXX -fuzz FuzzParseTime -fuzztime 20s ./internal/dist/
func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"10ms", "exp:10ms", "det:1s", "lognormal:10ms,0.5", "", ":", "1e400ms", "-1ms", "lognormal:5ms", "0s", "9223372036s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, named, err := ParseTime(s)
		if err != nil {
			return
		}
		if !(d.Mean > 0) || math.IsInf(d.Mean, 0) || (named && d.Validate() != nil) {
			t.Fatalf("ParseTime(%q) = %+v, named %v", s, d, named)
		}
	})
}
