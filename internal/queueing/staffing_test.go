package queueing

import (
	"math"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func TestSqrtStaffingSheet(t *testing.T) {
	// docs/queueing.md §6.1: a = 90 and P(wait) ≤ 0.2 give c = 101, the same as exact Erlang C
	// (square-root staffing: S. Halfin & W. Whitt, Oper. Res. 29(3):567–588, 1981).
	c, err := SqrtStaffing(90, 0.2)
	if err != nil || c != 101 {
		t.Errorf("SqrtStaffing(90, 0.2) = %d, %v; want 101", c, err)
	}
	e, err := ErlangCStaffing(90, 0.2)
	if err != nil || e != 101 {
		t.Errorf("ErlangCStaffing(90, 0.2) = %d, %v; want 101", e, err)
	}
}

func TestHalfinWhittBeta(t *testing.T) {
	for _, alpha := range []float64{0.9, 0.5, 0.2, 0.01, 1e-6} {
		b, err := HalfinWhittBeta(alpha)
		if err != nil {
			t.Fatal(err)
		}
		checkRel(t, "P(wait)(β)", 1/(1+b*dist.NormalCDF(b)/dist.NormalPDF(b)), alpha, 1e-12)
	}
	// For large a, square-root staffing approaches exact Erlang C staffing
	// (Halfin & Whitt's heavy-traffic limit): within a worker or two.
	for _, a := range []float64{100, 1000, 10000} {
		s, _ := SqrtStaffing(a, 0.1)
		e, _ := ErlangCStaffing(a, 0.1)
		if math.Abs(float64(s-e)) > 2 {
			t.Errorf("a=%g: sqrt %d vs Erlang C %d", a, s, e)
		}
	}
	for _, bad := range []float64{0, 1, -1, math.NaN()} {
		if _, err := HalfinWhittBeta(bad); err == nil {
			t.Errorf("alpha %g accepted", bad)
		}
	}
	if _, err := SqrtStaffing(0, 0.1); err == nil {
		t.Error("a = 0 accepted")
	}
}

func TestSearchMin(t *testing.T) {
	// Against a linear scan for every threshold, range and guess.
	for lo := 0; lo < 4; lo++ {
		for hi := lo; hi < 40; hi += 3 {
			for th := lo - 1; th <= hi+2; th++ {
				for g := lo - 2; g <= hi+2; g += 2 {
					calls := 0
					got := SearchMin(lo, hi, g, func(x int) bool { calls++; return x >= th })
					want := max(th, lo)
					if want > hi {
						want = hi + 1
					}
					if got != want {
						t.Fatalf("SearchMin(%d, %d, guess %d) threshold %d = %d, want %d", lo, hi, g, th, got, want)
					}
					if limit := 4*int(math.Log2(float64(hi-lo+2))) + 4; calls > limit {
						t.Errorf("%d evaluations > %d", calls, limit)
					}
				}
			}
		}
	}
	if got := SearchMin(5, 4, 5, func(int) bool { return true }); got != 5 {
		t.Errorf("empty range: %d", got)
	}
}
