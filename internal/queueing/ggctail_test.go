package queueing

import (
	"math"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func TestGGcApproxSheet(t *testing.T) {
	// docs/queueing.md §6.1 / §10.5: D/LN(σ=0.5)/10 at λ = 900, E[S] = 10 ms:
	// "29.15 ms heuristic" (4 significant digits printed).
	g, err := NewGGcApprox(900, 10, dist.Dist{Kind: dist.Lognormal, Mean: 0.01, Sigma: 0.5}, 0)
	if err != nil {
		t.Fatal(err)
	}
	checkPrinted(t, "D/LN(0.5)/10 p99 ms", g.ResponseQuantile(0.99), 1000, "29.15")
}

func TestGGcApproxExactForMMC(t *testing.T) {
	// Exponential service and Poisson arrivals: the heuristic is M/M/c (§4).
	for _, lambda := range []float64{300, 700, 750} {
		g, err := NewGGcApprox(lambda, 8, dist.Dist{Kind: dist.Exponential, Mean: 0.01}, 1)
		if err != nil {
			t.Fatal(err)
		}
		m := mustMMC(t, lambda, 100, 8)
		for _, x := range []float64{0.001, 0.02, 0.1} {
			checkRel(t, "tail", g.ResponseTail(x), m.ResponseTail(x), 1e-12)
		}
		checkRel(t, "p99", g.ResponseQuantile(0.99), m.ResponseQuantile(0.99), 1e-12)
	}
}

func TestGGcApproxLognormalConvolution(t *testing.T) {
	// Independent reference for the quadrature: P(E + S > t) = P(E > t) +
	// ∫_0^t P(S > t − u)·θe^{−θu} du (conditioning on the exponential E
	// instead of on S), by gonum Gauss–Legendre.
	for _, sigma := range []float64{0.25, 0.5, 1, 2} {
		d := dist.Dist{Kind: dist.Lognormal, Mean: 0.01, Sigma: sigma}
		for _, theta := range []float64{50, 400} {
			for _, x := range []float64{0.002, 0.01, 0.03, 0.1} {
				ref := math.Exp(-theta*x) + integrate(func(u float64) float64 {
					return d.Tail(x-u) * theta * math.Exp(-theta*u)
				}, 0, x)
				// Relative 1e-7, absolute 1e-12 (the quadrature's target is 1e-13
				// absolute; tails of 1e-16 are irrelevant to any quantile).
				checkAbs(t, "lognormal E+S tail", d.ExpPlusTail(theta, x), ref, 1e-7*ref+1e-12)
			}
		}
	}
	// Deterministic service: P(E + s > t) = e^{−θ(t−s)} for t ≥ s.
	d := dist.Dist{Kind: dist.Deterministic, Mean: 0.01}
	checkRel(t, "det", d.ExpPlusTail(100, 0.03), math.Exp(-2), 1e-15)
	if d.ExpPlusTail(100, 0.005) != 1 {
		t.Error("det below S")
	}
}

func TestGGcApproxDD(t *testing.T) {
	// D/D/c below saturation never waits: T = S (§4: "D/D/8 0%").
	g, err := NewGGcApprox(700, 8, dist.Dist{Kind: dist.Deterministic, Mean: 0.01}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if g.WaitProb() != 0 || g.ResponseQuantile(0.99) != 0.01 {
		t.Errorf("D/D/8: P(wait) %g, p99 %g", g.WaitProb(), g.ResponseQuantile(0.99))
	}
	if _, err := NewGGcApprox(800, 8, dist.Dist{Kind: dist.Exponential, Mean: 0.01}, 1); err == nil {
		t.Error("ρ = 1: no error")
	}
	if _, err := NewGGcApprox(100, 8, dist.Dist{Kind: dist.Lognormal, Mean: 0.01}, 1); err == nil {
		t.Error("lognormal without σ: no error")
	}
}
