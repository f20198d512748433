package assert

import (
	"math"
	"testing"
)

// FuzzParse: Parse never panics, and whatever parses has a canonical form
// that parses to the same Expr, with a value of the right range.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"p99 < 250ms", "p99<250ms", "P99.9 <= 1.5S in EACH 10s", "service.p99 < 20ms in stage 2",
		"2xx.mean > .5s", "min >= 0s", "p75 ≤ 800µs", "ratio(503) < 1%", "ratio( 5xx )<0.015",
		"ratio(not_sent) <= 0", "ratio(timeout) < 100%", "achieved >= 99.5%", "rps >= 100.5 in each stage",
		"p99 < 1 ms in each 1m", "p99 < 250", "p99 < -5ms", "p99 < NaN", "ratio(503) < 150%",
		"ratio(503) < 250ms", "rps > 1%", "p999 < 1s", "p99 < 1s in each 1.5s", "p99 < 1s in stage 0",
		"p99 == 1s", "", "in", "<", "ratio(", "p99 < 1s in in", "p0.000000000000000000001 < 1ns",
		"ratio(5xx) < 0.0000000000000000000000000000000000000001%", "rps > 99999999999999999999999999",
		"amplification < 1.5 in each 10s", "goodput >= 100 for checkout", "amplification < 150%",
		"p99 < 1s for checkout", `p99 < 1s for "GET /x" in each stage`, "p99 < 1s in stage 2 for a", "p99<1s for \"in\"", "p99 < 1s for",
		"p99 < 1s in stage peak", `p99 < 1s in stage "step 1 @ 200 rps"`, `p99 < 1s in stage "in"`, "p99 < 1s in stage -1",
		`p99 < 1s for checkout in stage warm-up`, `p99 < 1s in stage "a`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e, err := Parse(s)
		if err != nil {
			if _, ok := err.(*ParseError); !ok {
				t.Fatalf("Parse(%q): error %T is not a *ParseError", s, err)
			}
			return
		}
		if math.IsNaN(e.Value) || math.IsInf(e.Value, 0) || e.Value < 0 ||
			(e.Kind == RatioMetric && e.Value > 1) || (e.Kind == TimeMetric && e.Value > 3600) {
			t.Fatalf("Parse(%q): value %v out of range for a %v metric", s, e.Value, e.Kind)
		}
		c := e.String()
		again, err := Parse(c)
		if err != nil {
			t.Fatalf("Parse(%q) = %#v; its canonical form %q fails: %v", s, e, c, err)
		}
		again.Raw = e.Raw
		if again != e {
			t.Fatalf("Parse(%q) = %#v; canonical %q parses to %#v", s, e, c, again)
		}
		if again.String() != c {
			t.Fatalf("canonical form not stable: %q -> %q", c, again.String())
		}
	})
}
