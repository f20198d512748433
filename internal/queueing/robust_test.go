package queueing

import (
	"math"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// TestExtremeInputsNeverPanic feeds the constructors and their methods
// extreme and invalid parameters: each either returns an error or gives
// probabilities in [0, 1] and non-negative, non-NaN times.
func TestExtremeInputsNeverPanic(t *testing.T) {
	vals := []float64{0, 1e-300, 1e-6, 1, 1e6, 1e300, math.NaN(), math.Inf(1), -1}
	ps := []float64{1e-12, 0.5, 0.99, 1 - 1e-12}
	prob := func(name string, v float64) {
		if !(v >= 0 && v <= 1) {
			t.Errorf("%s = %g, not a probability", name, v)
		}
	}
	dur := func(name string, v float64) {
		if math.IsNaN(v) || v < 0 {
			t.Errorf("%s = %g", name, v)
		}
	}
	for _, lambda := range vals {
		for _, mu := range vals {
			for _, c := range []int{1, 3, 1000} {
				if m, err := NewMMC(lambda, mu, c); err == nil {
					prob("MMC C", m.WaitProb())
					dur("MMC E[T]", m.MeanResponse())
					for _, p := range ps {
						dur("MMC T_p", m.ResponseQuantile(p))
						dur("MMC Wq_p", m.WaitQuantile(p))
					}
					prob("MMC tail", m.ResponseTail(1/mu))
				}
				for _, k := range []int{c, c + 1, 10 * c} {
					m, err := NewMMCK(lambda, mu, c, k)
					if err != nil {
						continue
					}
					prob("MMCK block", m.BlockProb())
					prob("MMCK P(wait)", m.WaitProb())
					dur("MMCK W", m.MeanResponse())
					for _, p := range ps {
						dur("MMCK T_p", m.ResponseQuantile(p))
						dur("MMCK Wq_p", m.WaitQuantile(p))
					}
				}
				if g, err := NewGGcApprox(lambda, c, dist.Dist{Kind: dist.Lognormal, Mean: 1 / mu, Sigma: 1}, 0.5); err == nil {
					for _, p := range ps {
						dur("GGc T_p", g.ResponseQuantile(p))
					}
				}
			}
		}
	}
}
