package queueing

import "math"

// MinBlockK is the smallest K in [c, limit] whose M/M/c/K blocking
// probability π_K is ≤ target (0 if none), with π at K − 1 (NaN if K = c).
// π_K = q_K/Σ_{n≤K} q_n is updated in O(1) per K in log space.
func MinBlockK(lambda, mu float64, c int, target float64, limit int) (int, float64) {
	loga := math.Log(lambda / mu)
	logq, logS := 0.0, 0.0 // log q_n and log Σ_{m≤n} q_m at n = 0
	prev := math.NaN()
	for n := 1; n <= limit; n++ {
		logq += loga - math.Log(float64(min(n, c)))
		if logq > logS {
			logS = logq + math.Log1p(math.Exp(logS-logq))
		} else {
			logS += math.Log1p(math.Exp(logq - logS))
		}
		if n < c {
			continue
		}
		pi := math.Exp(logq - logS)
		if pi <= target {
			return n, prev
		}
		prev = pi
	}
	return 0, prev
}

// ErlangPlusExpTail is P(E_q + S > t) for E_q ~ Erlang(q, cμ) and S ~ Exp(μ):
// Q(q, cμt) + Σ_{j≥q} p_j(cμt)·((c−1)/c)^{j−q} (the same rearrangement as
// MMCK.ResponseTail; for c = 1 it is Q(q+1, μt)).
func ErlangPlusExpTail(q, c int, mu, t float64) float64 {
	if t <= 0 {
		return 1
	}
	beta := float64(c-1) / float64(c)
	w := 1.0
	return math.Min(1, poissonMix(float64(c)*mu*t, q, false, func(j int) float64 {
		if j <= q {
			return 1
		}
		w *= beta
		return w
	}))
}
