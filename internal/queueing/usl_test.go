package queueing

import (
	"math"
	"testing"
)

func TestFitUSLRecoversSynthetic(t *testing.T) {
	// The USL (N. Gunther, Guerrilla Capacity Planning, Springer, 2007,
	// chs. 4–6) has its peak at N* = √((1−σ)/κ) = √475 = 21.79.
	// docs/queueing.md §10.8: "USL fit recovers σ = 0.05, κ = 0.002 and N* = 21.79
	// exactly on synthetic data".
	truth := USL{Lambda1: 120, Sigma: 0.05, Kappa: 0.002}
	var ns, xs []float64
	for _, n := range []float64{1, 2, 4, 8, 12, 16, 24, 32, 48, 64} {
		ns = append(ns, n)
		xs = append(xs, truth.Throughput(n))
	}
	u, err := FitUSL(ns, xs)
	if err != nil {
		t.Fatal(err)
	}
	checkRel(t, "λ1", u.Lambda1, 120, 1e-14)
	checkRel(t, "σ", u.Sigma, 0.05, 1e-9)
	checkRel(t, "κ", u.Kappa, 0.002, 1e-9)
	checkPrinted(t, "N*", u.Peak(), 1, "21.79")
	// Amdahl (κ = 0): no peak.
	if p := (USL{Lambda1: 1, Sigma: 0.1}).Peak(); !math.IsInf(p, 1) {
		t.Errorf("Amdahl peak %g", p)
	}
}

func TestFitUSLInvalid(t *testing.T) {
	for _, bad := range []struct{ ns, xs []float64 }{
		{[]float64{1, 2}, []float64{1, 2}},
		{[]float64{1, 2, 3}, []float64{1, 2}},
		{[]float64{1, 1, 1}, []float64{1, 1, 1}},
		{[]float64{0.5, 2, 3}, []float64{1, 2, 3}},
		{[]float64{1, 2, 3}, []float64{1, -2, 3}},
		{[]float64{1, 2, 4}, []float64{1, math.NaN(), 3}},
	} {
		if _, err := FitUSL(bad.ns, bad.xs); err == nil {
			t.Errorf("FitUSL(%v, %v) succeeded", bad.ns, bad.xs)
		}
	}
}
