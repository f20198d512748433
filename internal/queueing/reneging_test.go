package queueing

import (
	"math"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func mustMMCD(t testing.TB, lambda, mu float64, c int, d float64) *MMCD {
	t.Helper()
	m, err := NewMMCD(lambda, mu, c, d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// bootsTijms is the closed form of M.A.J. Boots and H.C. Tijms, "A
// multiserver queueing system with impatient customers", Management
// Science 45(3):444–448, 1999, eq. (2) for exponential service (ρ < 1):
// P(loss) = (1 − ρ)·C·e^{−cμ(1−ρ)D} / (1 − ρ·C·e^{−cμ(1−ρ)D}), with C the
// Erlang C probability of the same system without impatience. It is a
// different derivation from NewMMCD's (which integrates the offered-wait
// density of Baccelli & Hebuterne), so agreement checks both.
func bootsTijms(lambda, mu float64, c int, d float64) float64 {
	rho := lambda / (float64(c) * mu)
	x := ErlangC(c, lambda/mu) * math.Exp(-float64(c)*mu*(1-rho)*d)
	return (1 - rho) * x / (1 - rho*x)
}

func TestMMCDBootsTijms(t *testing.T) {
	for _, tt := range []struct {
		lambda, mu float64
		c          int
		d          float64
	}{
		{700, 100, 8, 0.005}, {700, 100, 8, 0.02}, {350, 100, 4, 0.02}, {95, 100, 1, 0.05}, {3900, 100, 40, 0.001},
	} {
		m := mustMMCD(t, tt.lambda, tt.mu, tt.c, tt.d)
		checkRel(t, "P(abandon)", m.AbandonProb(), bootsTijms(tt.lambda, tt.mu, tt.c, tt.d), 1e-10)
	}
}

func TestMMCDLimits(t *testing.T) {
	// D = 0: nobody waits, the loss system M/M/c/c: Erlang B (queueing.md §3,
	// "Erlang B is the case K = c").
	for _, a := range []float64{2, 8, 12} {
		m := mustMMCD(t, a*100, 100, 8, 0)
		checkRel(t, "D=0 P(abandon)", m.AbandonProb(), ErlangB(8, a), 1e-12)
		checkRel(t, "D=0 mean response", m.MeanResponse(), 0.01, 1e-12)
		checkRel(t, "D=0 p99", m.ResponseQuantile(0.99), math.Log(100)/100, 1e-9)
	}
	// D → ∞ at ρ < 1: M/M/c (Erlang C, queueing.md §2).
	m := mustMMCD(t, 700, 100, 8, 100)
	q, err := NewMMC(700, 100, 8)
	if err != nil {
		t.Fatal(err)
	}
	if m.AbandonProb() > 1e-12 {
		t.Errorf("D=100 s: P(abandon) %g, want ≈ 0", m.AbandonProb())
	}
	checkRel(t, "D=∞ P(wait)", m.WaitProb(), q.WaitProb(), 1e-9)
	checkRel(t, "D=∞ mean wait", m.MeanWait(), q.MeanWait(), 1e-9)
	checkRel(t, "D=∞ p99", m.ResponseQuantile(0.99), q.ResponseQuantile(0.99), 1e-9)
	// Overload with a long timeout: the served rate tends to cμ, so the
	// abandon ratio to 1 − 1/ρ (queueing.md §3, the overload floor).
	over := mustMMCD(t, 900, 100, 8, 10)
	checkRel(t, "ρ=1.125 D=10 s P(abandon)", over.AbandonProb(), 1-1/1.125, 1e-6)
	// A timeout of 1000 s in overload: e^{(λ−cμ)D} = e^{100000} must not overflow.
	huge := mustMMCD(t, 900, 100, 8, 1000)
	if p := huge.AbandonProb(); math.IsNaN(p) || math.Abs(p-(1-1/1.125)) > 1e-9 {
		t.Errorf("D=1000 s: P(abandon) %g, want %g", p, 1-1/1.125)
	}
	if w := huge.MeanWait(); !(w > 0 && w <= 1000) {
		t.Errorf("D=1000 s: mean wait %g, want in (0, D]", w)
	}
	if p := huge.ResponseQuantile(0.99); !(p > 0 && p < 1010) {
		t.Errorf("D=1000 s: p99 %g, want in (0, D + service tail)", p)
	}
}

func TestMMCDAgainstSimulation(t *testing.T) {
	// The HAProxy case of issue #12 (maxconn 4, timeout queue 20 ms, 10 ms
	// service) at 600 rps, and a lightly loaded case; exponential service
	// and Poisson arrivals, so the formulas are exact and the simulation of
	// G/G/c+D (Simulate with Patience) must agree within its interval
	// (agree: 3 batch-means half-widths, sim_test.go).
	for _, tt := range []struct {
		lambda float64
		c      int
		d      float64
	}{{600, 4, 0.020}, {300, 4, 0.020}, {850, 8, 0.005}} {
		m := mustMMCD(t, tt.lambda, 100, tt.c, tt.d)
		res := simulate(t, SimConfig{
			Interarrival: dist.Dist{Kind: dist.Exponential, Mean: 1 / tt.lambda},
			Service:      dist.Dist{Kind: dist.Exponential, Mean: 0.01},
			Servers:      tt.c, Patience: tt.d, Arrivals: 400_000, Quantiles: []float64{0.99},
		}, 12)
		agree(t, "abandon ratio", res.RenegeRatio, m.AbandonProb(), 0.05)
		agree(t, "mean response", res.MeanResponse, m.MeanResponse(), 0.02)
		agree(t, "p99", res.ResponseQuantiles[0], m.ResponseQuantile(0.99), 0.03)
		if res.Blocked != 0 || res.Limited != 0 || res.ShedRatio.Value != res.RenegeRatio.Value {
			t.Errorf("only reneging should shed: blocked %d, limited %d, shed %v, reneged %v", res.Blocked, res.Limited, res.ShedRatio, res.RenegeRatio)
		}
	}
}

func TestMMCDInvalid(t *testing.T) {
	for _, tt := range []struct {
		lambda, mu float64
		c          int
		d          float64
	}{{-1, 100, 4, 0.02}, {100, 0, 4, 0.02}, {100, 100, 0, 0.02}, {100, 100, 4, -1}, {100, 100, 4, math.NaN()}} {
		if _, err := NewMMCD(tt.lambda, tt.mu, tt.c, tt.d); err == nil {
			t.Errorf("NewMMCD(%g, %g, %d, %g): no error", tt.lambda, tt.mu, tt.c, tt.d)
		}
	}
}
