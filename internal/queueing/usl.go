package queueing

import (
	"fmt"
	"math"
)

// USL is Gunther's Universal Scalability Law
//
//	X(N) = λ1·N / (1 + σ(N−1) + κN(N−1))
//
// with contention σ (Amdahl's law when κ = 0) and coherency κ (retrograde
// throughput). Source: N. Gunther, Guerrilla Capacity Planning, Springer
// 2007, chs. 4–6; docs/queueing.md §7.
type USL struct {
	Lambda1 float64 // throughput at N = 1, per second
	Sigma   float64 // contention σ
	Kappa   float64 // coherency κ
}

// Throughput is X(N), per second.
func (u USL) Throughput(n float64) float64 {
	return u.Lambda1 * n / (1 + u.Sigma*(n-1) + u.Kappa*n*(n-1))
}

// Peak is N* = √((1−σ)/κ), the concurrency of maximum throughput; +Inf when
// κ ≤ 0 or σ ≥ 1 (no retrograde region).
func (u USL) Peak() float64 {
	if !(u.Kappa > 0) || u.Sigma >= 1 {
		return math.Inf(1)
	}
	return math.Sqrt((1 - u.Sigma) / u.Kappa)
}

// FitUSL fits σ and κ to measured throughputs xs at concurrencies ns (N ≥ 1)
// by Gunther's linearisation: with C(N) = X(N)/λ1,
// N/C(N) − 1 = σ·(N−1) + κ·N(N−1), a least-squares fit through the origin on
// the regressors N−1 and N(N−1). λ1 is X(1) when N = 1 was measured;
// otherwise scaling is assumed linear up to the smallest N
// (λ1 = X(N_min)/N_min). Use at least about 6 steady-state points; σ and κ
// diagnose the bottleneck more than they extrapolate.
func FitUSL(ns, xs []float64) (USL, error) {
	if len(ns) != len(xs) {
		return USL{}, fmt.Errorf("USL fit: %d concurrencies but %d throughputs", len(ns), len(xs))
	}
	if len(ns) < 3 {
		return USL{}, fmt.Errorf("USL fit: need at least 3 points, got %d", len(ns))
	}
	imin := 0
	for i := range ns {
		if !finite(ns[i]) || ns[i] < 1 || !finite(xs[i]) || xs[i] <= 0 {
			return USL{}, fmt.Errorf("USL fit: point %d (N=%g, X=%g) needs N ≥ 1 and X > 0", i, ns[i], xs[i])
		}
		if ns[i] < ns[imin] {
			imin = i
		}
	}
	l1 := xs[imin] / ns[imin]
	// Normal equations of y = σ·a + κ·b, a = N−1, b = N(N−1).
	var saa, sab, sbb, say, sby float64
	for i := range ns {
		n := ns[i]
		a, b := n-1, n*(n-1)
		y := n*l1/xs[i] - 1
		saa += a * a
		sab += a * b
		sbb += b * b
		say += a * y
		sby += b * y
	}
	det := saa*sbb - sab*sab
	if !(math.Abs(det) > 1e-12*saa*sbb) {
		return USL{}, fmt.Errorf("USL fit: need at least two distinct concurrencies above the smallest")
	}
	return USL{
		Lambda1: l1,
		Sigma:   (say*sbb - sby*sab) / det,
		Kappa:   (saa*sby - sab*say) / det,
	}, nil
}
