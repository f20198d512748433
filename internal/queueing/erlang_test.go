package queueing

import (
	"math"
	"testing"
)

// directErlangB is an independent reference: B(c, a) = (a^c/c!)/Σ_{k≤c} a^k/k!
// summed directly in log space (log-sum-exp over log(a^k/k!) = k·ln a − lnΓ(k+1)).
func directErlangB(c int, a float64) float64 {
	terms := make([]float64, c+1)
	m := math.Inf(-1)
	for k := 0; k <= c; k++ {
		lg, _ := math.Lgamma(float64(k) + 1)
		terms[k] = float64(k)*math.Log(a) - lg
		m = math.Max(m, terms[k])
	}
	s := 0.0
	for _, v := range terms {
		s += math.Exp(v - m)
	}
	return math.Exp(terms[c] - m - math.Log(s))
}

// directErlangC is the textbook closed form
// C = (a^c/c!·c/(c−a)) / (Σ_{k<c} a^k/k! + a^c/c!·c/(c−a)), in log space.
func directErlangC(c int, a float64) float64 {
	m := math.Inf(-1)
	logt := func(k int) float64 {
		lg, _ := math.Lgamma(float64(k) + 1)
		return float64(k)*math.Log(a) - lg
	}
	top := logt(c) + math.Log(float64(c)/(float64(c)-a))
	m = top
	for k := 0; k < c; k++ {
		m = math.Max(m, logt(k))
	}
	s := math.Exp(top - m)
	for k := 0; k < c; k++ {
		s += math.Exp(logt(k) - m)
	}
	return math.Exp(top - m - math.Log(s))
}

func TestErlangExactRationals(t *testing.T) {
	// Exact fractions from the definition, by hand:
	// B(1,1) = 1/(1+1); B(2,1) = (1/2)/(1+1+1/2); B(3,2) = (8/6)/(1+2+2+8/6) = 4/19;
	// M/M/2 at a = 1 (ρ = 0.5) waits with probability 1/3; M/M/1 waits with probability ρ.
	tests := []struct {
		name string
		got  float64
		want float64
	}{
		{"B(0,5)", ErlangB(0, 5), 1},
		{"B(1,1)", ErlangB(1, 1), 0.5},
		{"B(2,1)", ErlangB(2, 1), 0.2},
		{"B(3,2)", ErlangB(3, 2), 4.0 / 19},
		{"B(4,0)", ErlangB(4, 0), 0},
		{"C(2,1)", ErlangC(2, 1), 1.0 / 3},
		{"C(1,0.5)", ErlangC(1, 0.5), 0.5},
		{"C(1,0.9)", ErlangC(1, 0.9), 0.9},
		{"C(3,0)", ErlangC(3, 0), 0},
		{"C(4,4) (a ≥ c)", ErlangC(4, 4), 1},
		{"C(4,7) (a ≥ c)", ErlangC(4, 7), 1},
		{"C(0,1)", ErlangC(0, 1), 1},
	}
	for _, tt := range tests {
		checkAbs(t, tt.name, tt.got, tt.want, 1e-15)
	}
}

func TestErlangSheet(t *testing.T) {
	// Erlang C (A.K. Erlang, Elektroteknikeren 13, 1917) as tabulated in
	// docs/queueing.md §2: "C(8, 7) = 0.635316" (6 decimals printed).
	checkPrinted(t, "C(8,7)", ErlangC(8, 7), 1, "0.635316")
	// docs/queueing.md §2: "B(2000, 1950) agrees with a log-space direct sum to 1e-9".
	checkRel(t, "B(2000,1950)", ErlangB(2000, 1950), directErlangB(2000, 1950), 1e-9)
	// §6.1: square-root staffing example, a = 90: C(101, 90) ≤ 0.2 < C(100, 90).
	if !(ErlangC(101, 90) <= 0.2 && ErlangC(100, 90) > 0.2) {
		t.Errorf("C(100,90) = %g, C(101,90) = %g: want 101 the first with P(wait) ≤ 0.2", ErlangC(100, 90), ErlangC(101, 90))
	}
}

func TestErlangAgainstDirectSum(t *testing.T) {
	// Independent reference: the defining sums, evaluated directly in log space.
	for _, c := range []int{1, 2, 5, 8, 11, 50, 170, 171, 500, 3000} {
		for _, rho := range []float64{0.01, 0.3, 0.7, 0.9, 0.99, 1.0, 1.5} {
			a := rho * float64(c)
			checkRel(t, "B", ErlangB(c, a), directErlangB(c, a), 1e-10)
			if rho < 1 {
				checkRel(t, "C", ErlangC(c, a), directErlangC(c, a), 1e-10)
			}
		}
	}
}

func TestErlangInvalid(t *testing.T) {
	for _, tt := range []struct {
		c int
		a float64
	}{{-1, 1}, {3, -0.5}, {3, math.NaN()}, {3, math.Inf(1)}} {
		if b := ErlangB(tt.c, tt.a); !math.IsNaN(b) {
			t.Errorf("ErlangB(%d, %g) = %g, want NaN", tt.c, tt.a, b)
		}
		if c := ErlangC(tt.c, tt.a); !math.IsNaN(c) {
			t.Errorf("ErlangC(%d, %g) = %g, want NaN", tt.c, tt.a, c)
		}
	}
}
