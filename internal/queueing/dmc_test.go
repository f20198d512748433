package queueing

import (
	"math"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// exactDMc returns the exact time-average number in system L and the mean
// number an arrival finds, seen, of the D/M/c queue with arrival rate lambda
// and service rate mu (per second), c workers, ρ < 1. It solves the Markov
// chain embedded at arrival instants (the GI/M/c method: L. Kleinrock,
// Queueing Systems Vol. 1, 1975, ch. 6, "The queue G/M/m"): just after an arrival that found n, n+1 are present, and
// over the constant gap 1/λ they leave as a pure death process with rates
// min(j, c)·μ, whose transition matrix is taken by uniformization at rate
// cμ. Above c − 1 the arrival-epoch probabilities decay geometrically by σ,
// the root in (0, 1) of σ = exp(−cμ(1−σ)/λ), so the chain is truncated
// where σ^(n−c) < 1e-20. Then seen = Σ n·π_n, an arrival
// finding n ≥ c waits n − c + 1 exponential phases of rate cμ, so
// E[Wq] = Σ_{n≥c} π_n·(n−c+1)/(cμ), and Little gives L = λ·(E[Wq] + 1/μ).
func exactDMc(t *testing.T, lambda, mu float64, c int) (l, seen float64) {
	t.Helper()
	rate, gap := float64(c)*mu, 1/lambda
	sigma := 0.5
	for range 10_000 {
		sigma = math.Exp(-rate * gap * (1 - sigma))
	}
	n := c + int(math.Ceil(math.Log(1e-20)/math.Log(sigma)))
	// P[i][j]: from i present (just after an arrival) to j before the next.
	p := mat.NewDense(n+1, n+1, nil)
	for i := 1; i <= n; i++ {
		v := make([]float64, n+1)
		v[i] = 1
		w := math.Exp(-rate * gap) // Poisson weight of k uniformization steps
		for k := 0; w > 1e-300 || k < int(rate*gap); k++ {
			for j, x := range v {
				p.Set(i, j, p.At(i, j)+w*x)
			}
			next := make([]float64, n+1)
			for j, x := range v {
				d := float64(min(j, c)) * mu / rate
				next[j] += x * (1 - d)
				if j > 0 {
					next[j-1] += x * d
				}
			}
			v, w = next, w*rate*gap/float64(k+1)
		}
	}
	// π_j = Σ_m π_m·P[min(m+1, n)][j], with Σ π = 1 replacing one equation.
	a := mat.NewDense(n+1, n+1, nil)
	for j := 0; j <= n; j++ {
		for m := 0; m <= n; m++ {
			a.Set(j, m, p.At(min(m+1, n), j))
		}
		a.Set(j, j, a.At(j, j)-1)
	}
	b := mat.NewVecDense(n+1, nil)
	for m := 0; m <= n; m++ {
		a.Set(n, m, 1)
	}
	b.SetVec(n, 1)
	var pi mat.VecDense
	if err := pi.SolveVec(a, b); err != nil {
		t.Fatal(err)
	}
	wait := 0.0
	for m := 0; m <= n; m++ {
		seen += float64(m) * pi.AtVec(m)
		if m >= c {
			wait += pi.AtVec(m) * float64(m-c+1) / rate
		}
	}
	return lambda * (wait + 1/mu), seen
}

func TestExactDMc(t *testing.T) {
	// c = 1 against the closed-form GI/M/1 (NewDM1): L = λ·W.
	for _, rho := range []float64{0.5, 0.8, 0.9} {
		g, err := NewDM1(rho*100, 100)
		if err != nil {
			t.Fatal(err)
		}
		l, _ := exactDMc(t, rho*100, 100, 1)
		checkRel(t, "D/M/1 L", l, rho*100*g.MeanResponse(), 1e-9)
	}
	// docs/queueing.md §10.6, the exact values of D/M/8 at ρ = 0.85.
	l, seen := exactDMc(t, 680, 100, 8)
	checkPrinted(t, "D/M/8 L", l, 1, "7.9876")
	checkPrinted(t, "D/M/8 seen", seen, 1, "7.4950")
}
