package queueing

import "math"

// A token bucket of rate R (tokens per second) holding at most B ≥ 1
// tokens admits a request iff it finds a whole token, which it takes. What
// it refuses depends only on the arrival times, never on the service: the
// queueing of the workers behind it is a separate system fed by the
// admitted stream. Any other arrival process (Poisson, bursty) is
// simulated: Simulate with TokenRate and TokenBurst.

// TokenBucketFloor is max(0, 1 − R/λ): a bucket never admits more than R
// per second in the long run, so at least this fraction of arrivals at rate
// λ is refused, whatever the burst and the arrival process. It is the
// refused fraction whenever the bucket never fills up while overloaded
// (evenly spaced arrivals with B ≥ 1 + R/λ, and Poisson arrivals as λ/R
// grows).
func TokenBucketFloor(lambda, rate float64) float64 {
	if !(lambda > 0) || !(rate >= 0) {
		return math.NaN()
	}
	return math.Max(0, 1-rate/lambda)
}

// TokenBucketUniform is the long-run refused fraction of evenly spaced
// arrivals at rate λ (gap 1/λ) by a bucket of rate R and burst B ≥ 1:
//
//   - λ ≤ R: 0 (a whole token is back before every arrival);
//   - B ≥ 1 + R/λ: 1 − R/λ (between two arrivals the bucket gains r = R/λ < 1
//     tokens and, holding less than 1 after an admission, never reaches B);
//   - otherwise the bucket fills up and wastes tokens; it is iterated over
//     the arrivals until the refused fraction settles (B = 1 admits one
//     request in ⌈λ/R⌉: the tokens of the fractional gap are lost).
//
// NaN for invalid input.
func TokenBucketUniform(lambda, rate, burst float64) float64 {
	if !(lambda > 0) || !(rate > 0) || !(burst >= 1) || math.IsInf(lambda+rate, 0) {
		return math.NaN()
	}
	r := rate / lambda
	switch {
	case r >= 1:
		return 0
	case burst >= 1+r:
		return 1 - r
	case burst == 1:
		return 1 - 1/math.Ceil(1/r-1e-12)
	}
	// 1 < B < 1 + r: iterate the bucket after each arrival. Its state after
	// an admission lies in [0, B−1), so it settles into a cycle quickly; the
	// second half of the iteration is counted.
	const n = 1 << 16
	tokens, refused := burst, 0
	for i := range 2 * n {
		tokens = math.Min(burst, tokens+r)
		if tokens >= 1 {
			tokens--
		} else if i >= n {
			refused++
		}
	}
	return float64(refused) / n
}
