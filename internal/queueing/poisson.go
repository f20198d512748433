package queueing

import "math"

// poissonMix returns Σ_{j≥0} e^{−x}·x^j/j! · f(j), a Poisson(x) mixture of
// weights 0 ≤ f(j) ≤ 1 that the caller supplies in order j = 0, 1, 2, ...
// (f is called exactly once per j, so it may carry a recurrence). The
// weights must be non-increasing for j ≥ last, and zero for j > last when
// zeroAfter is set.
//
// The first Poisson term is computed in log space (log p_j = −x + j·ln x −
// ln j!) and the rest by p_{j+1} = p_j·x/(j+1), so nothing overflows or
// underflows prematurely: the "incomplete gamma sums in log space" of
// docs/queueing.md §3 and §9, with the sums over k rearranged into a single pass
// over j. Lower-tail terms below e^{−700} are skipped, which also keeps the
// first term a normal float; the sum stops
// once the remaining upper tail is below 1e-17 of the running sum.
func poissonMix(x float64, last int, zeroAfter bool, f func(j int) float64) float64 {
	if x <= 0 {
		return f(0)
	}
	logx := math.Log(x)
	logp := func(j int) float64 {
		lg, _ := math.Lgamma(float64(j) + 1)
		return -x + float64(j)*logx - lg
	}
	// Skip the lower tail: every term below j0 is < e^{−700} (the pmf
	// increases up to the mode), so together they are < x·e^{−700}.
	j0 := 0
	if lo := x - 36*math.Sqrt(x) - 36; lo > 0 {
		j0 = int(lo)
	}
	for j0 > 0 && logp(j0) < -700 {
		j0 += (int(x) - j0 + 1) / 2
	}
	for j := 0; j < j0; j++ {
		f(j) // advance the caller's recurrence
	}
	pj := math.Exp(logp(j0))
	sum := 0.0
	for j := j0; ; j++ {
		sum += pj * f(j)
		if j >= last {
			if zeroAfter {
				break
			}
			if fj := float64(j + 1); fj > x {
				// Remaining Σ_{i>j} p_i ≤ p_j·(x/(j+1))/(1 − x/(j+1)).
				if rest := pj * x / (fj - x); rest <= 1e-17*sum || pj == 0 {
					break
				}
			}
		}
		pj *= x / float64(j+1)
	}
	return sum
}
