package queueing

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// HalfinWhittBeta returns the square-root-staffing parameter β > 0 for which
// the Halfin–Whitt heavy-traffic delay probability
//
//	P(wait) ≈ [1 + β·Φ(β)/φ(β)]^{−1}
//
// equals alpha in (0, 1) (S. Halfin & W. Whitt, Oper. Res. 29(3):567–588,
// 1981; docs/queueing.md §6.1). The right side decreases from 1 at β = 0 to 0, so
// β is found by bisection.
func HalfinWhittBeta(alpha float64) (float64, error) {
	if err := checkProb("Halfin–Whitt: target P(wait)", alpha); err != nil {
		return 0, err
	}
	pw := func(b float64) float64 { return 1 / (1 + b*dist.NormalCDF(b)/dist.NormalPDF(b)) }
	lo, hi := 0.0, 1.0
	for pw(hi) > alpha {
		lo, hi = hi, 2*hi
		if hi > 64 {
			return hi, nil // alpha below ~1e-300: β is effectively ∞
		}
	}
	for i := 0; i < 100; i++ {
		mid := (lo + hi) / 2
		if pw(mid) > alpha {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi, nil
}

// SqrtStaffing is Halfin–Whitt square-root staffing: c = ⌈a + β√a⌉ workers
// for offered load a Erlangs and target P(wait) alpha. For a = 90 and
// alpha = 0.2 it gives 101, the same as exact Erlang C (docs/queueing.md §6.1).
// It is a quick estimate and the starting point of Size's search.
func SqrtStaffing(a, alpha float64) (int, error) {
	if err := checkPositive("offered load", a); err != nil {
		return 0, err
	}
	b, err := HalfinWhittBeta(alpha)
	if err != nil {
		return 0, err
	}
	c := math.Ceil(a + b*math.Sqrt(a))
	if c > maxCapacity {
		return 0, fmt.Errorf("square-root staffing: %g workers is too many", c)
	}
	return max(1, int(c)), nil
}

// ErlangCStaffing is the smallest c > a whose Erlang C delay probability
// C(c, a) is ≤ alpha (exact; C decreases in c).
func ErlangCStaffing(a, alpha float64) (int, error) {
	if err := checkPositive("offered load", a); err != nil {
		return 0, err
	}
	if err := checkProb("target P(wait)", alpha); err != nil {
		return 0, err
	}
	if a >= maxCapacity {
		return 0, fmt.Errorf("offered load %g Erlangs is too large", a)
	}
	c := SearchMin(int(math.Floor(a))+1, maxCapacity, int(math.Floor(a))+1, func(c int) bool {
		return ErlangC(c, a) <= alpha
	})
	if c > maxCapacity {
		return 0, fmt.Errorf("no worker count up to %d reaches P(wait) ≤ %g", maxCapacity, alpha)
	}
	return c, nil
}
