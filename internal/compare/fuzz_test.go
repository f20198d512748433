package compare

import (
	"strings"
	"testing"
)

// FuzzParseDiff: no input panics; whatever parses has a canonical form that
// parses back to the same Diff, and its error messages are one line.
func FuzzParseDiff(f *testing.F) {
	for _, s := range []string{
		"p99 < +10%", "p99<+5ms in each stage", "ratio(503) < +0.5%", "rps > -5%",
		"achieved >= -0.1pp in stage 2", "service.p99.9 <= +1m30s", "mean ≥ -0%",
		"ratio( 5xx ) < +0.001", "p99 < 10%", "p99 < +10% in each 10s", "2xx.max<+1h",
		"p99 < +0.000000001s", "rps > -123456789012345678901234567890", "p99 < +.5%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseDiff(s)
		if err != nil {
			if strings.Contains(err.Error(), "\n") && !strings.Contains(s, "\n") {
				t.Errorf("multi-line error for %q: %q", s, err)
			}
			return
		}
		canon := d.String()
		again, err := ParseDiff(canon)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canon, s, err)
		}
		again.Raw = d.Raw
		if again != d {
			t.Fatalf("%q → %q → %+v, want %+v", s, canon, again, d)
		}
		if again.String() != canon {
			t.Fatalf("canonical form not stable: %q then %q", canon, again.String())
		}
	})
}
