package compare_test

import (
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/compare"
	"github.com/bploadgen/bploadgen/internal/result"
)

// search is a capacity document whose bracket is [pass, fail].
func search(pass, fail float64, slo ...string) *result.Capacity {
	if slo == nil {
		slo = []string{"p99 < 100ms"}
	}
	return &result.Capacity{Schema: result.CapacitySchema, Target: result.Target{URL: "http://127.0.0.1:8080/"}, Arrival: "poisson",
		SLO: slo, CapacityRPS: pass, Bracket: result.CapacityBracket{PassRPS: pass, FailRPS: fail},
		StoppedBecause: result.StopPrecision, Backpressure: &result.Backpressure{Verdict: "holds"}}
}

// TestCapacities: two searches differ when their brackets are disjoint
// (NEW passed a rate BASE failed, or failed one BASE passed); overlapping
// brackets are within the searches' precision. Warnings say when the
// SLOs, the backpressure or a search's stop make them less comparable.
func TestCapacities(t *testing.T) {
	for _, tc := range []struct {
		name       string
		base, next *result.Capacity
		want       compare.Verdict
		warn       string
	}{
		{"more workers", search(288, 298), search(623, 641), compare.Improvement, ""},
		{"fewer", search(623, 641), search(288, 298), compare.Regression, ""},
		{"within the precision", search(288, 298), search(292, 305), compare.NoChange, ""},
		{"just past the bracket", search(288, 298), search(298, 310), compare.Improvement, ""},
		{"other SLOs", search(288, 298), search(288, 298, "p99 < 50ms"), compare.NoChange, "the SLOs differ"},
		{"stopped at --max", search(288, 298), search(1000, 0), compare.Improvement, "stopped at max"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.next.Bracket.FailRPS == 0 {
				tc.next.StoppedBecause = result.StopMax
			}
			rep := compare.Capacities(tc.base, tc.next)
			if rep.Verdict != tc.want {
				t.Errorf("verdict %s (%s), want %s", rep.Verdict, rep.Reason, tc.want)
			}
			if w := strings.Join(rep.Warnings, "\n"); (tc.warn == "") != (w == "") || !strings.Contains(w, tc.warn) {
				t.Errorf("warnings %q, want %q", w, tc.warn)
			}
		})
	}
	fails := search(623, 641)
	fails.Backpressure.Verdict = "fails"
	rep := compare.Capacities(search(288, 298), fails)
	var b strings.Builder
	if err := rep.WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"capacity 288 rps (288 passed, 298 did not), backpressure holds", "backpressure holds in BASE and fails in NEW",
		"verdict: improvement: capacity +335 rps (+116%); NEW passed 623 rps, which BASE failed"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, b.String())
		}
	}
}
