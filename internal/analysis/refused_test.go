package analysis

import (
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// erlangLimit recovers the K whose Erlang B shares made the stages'
// refusals: 4 stages of 4,000 requests each at a = λ·E[S] from 2 to 11
// erlangs, the refused counts rounded from n·B(K, a). A neighbouring K
// moves each share by several of its standard errors (√(p(1−p)/n) under
// 0.8 points here), so only the true K fits.
func TestErlangLimitRecoversK(t *testing.T) {
	const s = 0.01 // seconds
	for _, k := range []int{3, 8, 12} {
		an := &analyzer{svc: &service{mean: s}}
		for i, a := range []float64{2, 5, 8, 11} {
			n := 4000.0
			lambda := a / s
			p := queueing.ErlangB(k, a)
			ref := int64(math.Round(n * p))
			st := &result.Stage{Index: i + 1, Errors: map[string]int64{result.ErrReset: ref}}
			an.data = append(an.data, &stageData{st: st, lambda: lambda, tau: n / lambda, responses: int64(n) - ref,
				windows: []windowData{{inFlightMax: int64(k + 3)}}})
		}
		got := an.erlangLimit([]string{result.ErrReset, result.ErrConnect})
		if want := "at most " + strconv.Itoa(k) + " in flight"; !strings.HasPrefix(got, want) {
			t.Errorf("K = %d: %q, want it to begin %q", k, got, want)
		}
	}
	// Without a service time there is nothing to fit.
	if got := (&analyzer{}).erlangLimit([]string{result.ErrReset}); got != "" {
		t.Errorf("no service time: %q", got)
	}
}
