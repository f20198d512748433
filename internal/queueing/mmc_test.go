package queueing

import (
	"errors"
	"math"
	"testing"

	"gonum.org/v1/gonum/integrate/quad"
)

// integrate is an independent reference integral: gonum's n-point
// Gauss–Legendre rule on [lo, hi].
func integrate(f func(float64) float64, lo, hi float64) float64 {
	return quad.Fixed(f, lo, hi, 400, quad.Legendre{}, 0)
}

func mustMMC(t *testing.T, lambda, mu float64, c int) *MMC {
	t.Helper()
	m, err := NewMMC(lambda, mu, c)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestMMCSheetTable2(t *testing.T) {
	// docs/queueing.md §10 table 2, "predicted" columns: M/M/8, μ = 100/s,
	// the M/M/c formulas of §2 (Erlang C, exponential conditional wait;
	// L. Kleinrock, Queueing Systems Vol. 1, 1975, §3.5).
	// The sheet prints 4 significant digits; compared at that precision.
	tests := []struct {
		lambda               float64
		c, wq, tail50        string // C, E[Wq] ms, P(T > 50 ms)
		wq99, t50, t99, t999 string // ms
	}{
		{700, "0.6353", "6.353", "0.02814", "41.52", "12.93", "62.03", "87.93"}, // θ = cμ − λ = μ: special case
		{750, "0.8073", "16.15", "0.1284", "87.82", "20.51", "101.6", "147.7"},
	}
	for _, tt := range tests {
		m := mustMMC(t, tt.lambda, 100, 8)
		checkPrinted(t, "C", m.WaitProb(), 1, tt.c)
		checkPrinted(t, "E[Wq] ms", m.MeanWait(), 1000, tt.wq)
		checkPrinted(t, "P(T>50ms)", m.ResponseTail(0.05), 1, tt.tail50)
		checkPrinted(t, "Wq p99 ms", m.WaitQuantile(0.99), 1000, tt.wq99)
		checkPrinted(t, "T p50 ms", m.ResponseQuantile(0.5), 1000, tt.t50)
		checkPrinted(t, "T p99 ms", m.ResponseQuantile(0.99), 1000, tt.t99)
		checkPrinted(t, "T p99.9 ms", m.ResponseQuantile(0.999), 1000, tt.t999)
	}
}

func TestMMCSheetSizing(t *testing.T) {
	// docs/queueing.md §6.1 / §10.5: λ = 900, E[S] = 10 ms: c = 11 → p99 49.61 ms, c = 10 → 62.50 ms.
	checkPrinted(t, "c=11 p99 ms", mustMMC(t, 900, 100, 11).ResponseQuantile(0.99), 1000, "49.61")
	checkPrinted(t, "c=10 p99 ms", mustMMC(t, 900, 100, 10).ResponseQuantile(0.99), 1000, "62.50")
}

func TestMMCSingleServerClosedForm(t *testing.T) {
	// M/M/1: C = ρ, E[Wq] = ρ/(μ−λ), T ~ Exp(μ−λ), T_p = ln(1/(1−p))/(μ−λ)
	// (docs/queueing.md §2; any queueing text). The quantile comes from bisection,
	// so this checks the inversion to 1e-12.
	for _, lambda := range []float64{1, 50, 90, 99.9} {
		m := mustMMC(t, lambda, 100, 1)
		checkRel(t, "C", m.WaitProb(), lambda/100, 1e-14)
		checkRel(t, "E[Wq]", m.MeanWait(), lambda/100/(100-lambda), 1e-12)
		for _, p := range []float64{0.1, 0.5, 0.9, 0.99, 0.999, 0.99999} {
			checkRel(t, "T_p", m.ResponseQuantile(p), -math.Log1p(-p)/(100-lambda), 1e-12)
		}
		for _, x := range []float64{0.001, 0.01, 0.1, 1} {
			checkRel(t, "P(T>t)", m.ResponseTail(x), math.Exp(-(100-lambda)*x), 1e-12)
		}
	}
}

func TestMMCResponseTailByConvolution(t *testing.T) {
	// Independent reference: P(T > t) = P(S > t) + ∫_0^t f_S(s)·P(Wq > t−s) ds
	// with f_S(s) = μe^{−μs} and P(Wq > u) = C·e^{−θu}, integrated numerically
	// (gonum Gauss–Legendre) — no use of the closed form or its θ = μ case.
	for _, tt := range []struct {
		lambda float64
		c      int
	}{{700, 8}, {750, 8}, {300, 8}, {900, 11}, {50, 2}, {100 * (1 - 1e-9), 2}} {
		m := mustMMC(t, tt.lambda, 100, tt.c)
		th := float64(tt.c)*100 - tt.lambda
		for _, x := range []float64{0.001, 0.01, 0.03, 0.05, 0.1, 0.2} {
			conv := integrate(func(s float64) float64 {
				return 100 * math.Exp(-100*s) * m.WaitProb() * math.Exp(-th*(x-s))
			}, 0, x)
			checkRel(t, "P(T>t)", m.ResponseTail(x), math.Exp(-100*x)+conv, 1e-11)
		}
	}
}

func TestMMCThetaEqualsMuContinuity(t *testing.T) {
	// θ = cμ − λ = μ at λ = (c−1)μ; the tail must be continuous through it.
	// Moving λ by a relative ε moves θ by ελ, hence the tail by a relative
	// ≈ λt·ε: a continuous tail stays within 2λtε (+ rounding).
	at := mustMMC(t, 700, 100, 8)
	for _, eps := range []float64{1e-6, 1e-9, 1e-12} {
		for _, sgn := range []float64{-1, 1} {
			near := mustMMC(t, 700*(1+sgn*eps), 100, 8)
			for _, x := range []float64{0.005, 0.05, 0.5} {
				checkRel(t, "tail near θ=μ", near.ResponseTail(x), at.ResponseTail(x), 2*700*x*eps+1e-13)
			}
		}
	}
	// The special-case formula e^{−μt}(1 + Cμt), docs/queueing.md §2.
	for _, x := range []float64{0.005, 0.05, 0.5} {
		checkRel(t, "θ=μ formula", at.ResponseTail(x), math.Exp(-100*x)*(1+at.WaitProb()*100*x), 1e-13)
	}
}

func TestMMCMeansByIntegratingTails(t *testing.T) {
	// E[X] = ∫_0^∞ P(X > t) dt (docs/queueing.md §2: "integrating gives E[T] = 1/μ + C/θ").
	for _, lambda := range []float64{100, 700, 750} {
		m := mustMMC(t, lambda, 100, 8)
		hi := 60 / math.Min(100, 800-lambda) // tails below e^{−60}
		checkRel(t, "∫P(T>t)", integrate(m.ResponseTail, 0, hi), m.MeanResponse(), 1e-9)
		checkRel(t, "∫P(Wq>t)", integrate(m.WaitTail, 0, hi), m.MeanWait(), 1e-9)
		checkRel(t, "Little L", m.MeanNumber(), lambda*m.MeanResponse(), 1e-14)
		checkRel(t, "L = Lq + a", m.MeanNumber(), m.MeanQueue()+lambda/100, 1e-12)
	}
}

func TestMMCQuantilesInvertTails(t *testing.T) {
	m := mustMMC(t, 750, 100, 8)
	for _, p := range []float64{0.01, 0.2, 0.5, 0.9, 0.99, 0.9999} {
		checkRel(t, "tail(T_p)", m.ResponseTail(m.ResponseQuantile(p)), 1-p, 1e-9)
		if w := m.WaitQuantile(p); w > 0 {
			checkRel(t, "tail(Wq_p)", m.WaitTail(w), 1-p, 1e-12)
		} else if 1-p < m.WaitProb() {
			t.Errorf("Wq_%g = 0 but P(wait) = %g > 1−p", p, m.WaitProb())
		}
	}
	for _, p := range []float64{0, 1, -1, math.NaN()} {
		if !math.IsNaN(m.ResponseQuantile(p)) || !math.IsNaN(m.WaitQuantile(p)) {
			t.Errorf("quantile(%g) should be NaN", p)
		}
	}
}

func TestNewMMCInvalid(t *testing.T) {
	tests := []struct {
		lambda, mu float64
		c          int
		unstable   bool
	}{
		{800, 100, 8, true}, {900, 100, 8, true}, {-1, 100, 1, false}, {1, 0, 1, false},
		{1, math.NaN(), 1, false}, {math.Inf(1), 1, 1, false}, {1, 100, 0, false}, {1, 100, -3, false},
	}
	for _, tt := range tests {
		_, err := NewMMC(tt.lambda, tt.mu, tt.c)
		if err == nil {
			t.Errorf("NewMMC(%g, %g, %d) succeeded, want an error", tt.lambda, tt.mu, tt.c)
			continue
		}
		if got := errors.Is(err, ErrUnstable); got != tt.unstable {
			t.Errorf("NewMMC(%g, %g, %d): errors.Is(ErrUnstable) = %v (%v)", tt.lambda, tt.mu, tt.c, got, err)
		}
	}
	m := mustMMC(t, 0, 100, 3) // no load: nobody waits
	if m.WaitProb() != 0 || m.MeanWait() != 0 {
		t.Errorf("idle M/M/3: P(wait) %g, E[Wq] %g", m.WaitProb(), m.MeanWait())
	}
	checkRel(t, "idle M/M/3 T_p50", m.ResponseQuantile(0.5), math.Log(2)/100, 1e-13)
}
