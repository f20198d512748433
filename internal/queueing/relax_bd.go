package queueing

import (
	"fmt"
	"math"
)

// This file was added for internal/analysis, which needs the relaxation
// time of the M/M/c/K queue to size batches for batch-means intervals
// (docs/queueing.md §8: each batch should span ≥ 10 relaxation times).

// maxRelaxStates bounds the birth–death chains RelaxationTimeMMCK solves
// exactly (O(K) per bisection step).
const maxRelaxStates = 200_000

// RelaxationTimeMMCK is the relaxation time 1/θ₁ of the M/M/c/K queue in
// seconds, where θ₁ is the spectral gap (the smallest non-zero eigenvalue
// of −Q) of its birth–death chain on 0..K: births λ below K, deaths
// min(n, c)·μ. Correlations in the number in system decay like e^{−θ₁t}.
//
// −Q is similar to the symmetric tridiagonal matrix with diagonal
// λ_n + μ_n and off-diagonal √(λ_n·μ_{n+1}); θ₁ is found by bisection on
// its Sturm sequence count. Checks: M/M/1/K has the eigenvalues
// λ + μ − 2√(λμ)·cos(jπ/(K+1)), j = 1..K; as K → ∞ with ρ < 1, M/M/1's
// gap is (√μ − √λ)², the RelaxationTimeMM1 formula.
//
// k = 0 means an unbounded queue: for ρ < 1 the chain is truncated where
// the stationary tail is negligible (at most maxRelaxStates states); for
// ρ ≥ 1 there is no steady state and the result is +Inf. It returns NaN for
// invalid input (lambda < 0, mu ≤ 0, c < 1, 0 < k < c).
func RelaxationTimeMMCK(lambda, mu float64, c, k int) float64 {
	if !(lambda >= 0) || !(mu > 0) || !finite(lambda) || !finite(mu) || c < 1 || k < 0 || (k > 0 && k < c) {
		return math.NaN()
	}
	if lambda == 0 {
		return 1 / mu // only departures: the slowest decays at rate μ
	}
	if k == 0 {
		rho := lambda / (float64(c) * mu)
		if rho >= 1 {
			return math.Inf(1)
		}
		// The gap of the infinite chain is approached once the truncation
		// is many decay lengths 1/(1−√ρ)² past c.
		s := 1 - math.Sqrt(rho)
		extra := 40 / (s * s)
		if float64(c)+extra > maxRelaxStates {
			return 1 / (float64(c) * mu * s * s) // heavy-traffic M/M/1 form
		}
		k = c + int(math.Ceil(extra))
	}
	if k+1 > maxRelaxStates {
		return math.NaN()
	}
	gap, err := bdSecondEigen(lambda, mu, c, k)
	if err != nil || !(gap > 0) {
		return math.NaN()
	}
	return 1 / gap
}

// bdSecondEigen returns the second-smallest eigenvalue of −Q for the
// M/M/c/K chain (the smallest is 0).
func bdSecondEigen(lambda, mu float64, c, k int) (float64, error) {
	n := k + 1
	if n < 2 {
		return 0, fmt.Errorf("relaxation: need K ≥ 1, got %d", k)
	}
	birth := func(i int) float64 {
		if i < k {
			return lambda
		}
		return 0
	}
	death := func(i int) float64 { return float64(min(i, c)) * mu }
	// below counts the eigenvalues < x by the LDLᵀ Sturm recursion.
	below := func(x float64) int {
		cnt := 0
		q := 1.0
		for i := range n {
			d := birth(i) + death(i) - x
			if i > 0 {
				e2 := birth(i-1) * death(i)
				if q == 0 {
					q = 1e-300
				}
				d -= e2 / q
			}
			q = d
			if q < 0 {
				cnt++
			}
		}
		return cnt
	}
	// Gershgorin: every eigenvalue ≤ max_i (d_i + |e_{i−1}| + |e_i|).
	hi := 0.0
	for i := range n {
		r := birth(i) + death(i)
		if i > 0 {
			r += math.Sqrt(birth(i-1) * death(i))
		}
		if i+1 < n {
			r += math.Sqrt(birth(i) * death(i+1))
		}
		hi = math.Max(hi, r)
	}
	lo := 0.0
	for range 200 {
		mid := (lo + hi) / 2
		if below(mid) >= 2 {
			hi = mid
		} else {
			lo = mid
		}
		if hi-lo <= 1e-12*hi {
			break
		}
	}
	return (lo + hi) / 2, nil
}
