package queueing

import "math"

// ErlangB is the Erlang B (loss) probability B(c, a): the probability that an
// arrival to an M/G/c/c system with offered load a = λ·E[S] Erlangs finds all
// c workers busy. It is insensitive to the service distribution.
//
// It uses the stable recursion B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1))
// (docs/queueing.md §2; Octave queueing erlangb.m, PDQ PDQ_MServer.c), O(c) and
// free of overflow. Invalid input (c < 0, a < 0, NaN or infinite a) gives NaN.
func ErlangB(c int, a float64) float64 {
	if c < 0 || !(a >= 0) || math.IsInf(a, 0) {
		return math.NaN()
	}
	b := 1.0
	for k := 1; k <= c; k++ {
		b = a * b / (float64(k) + a*b)
	}
	return b
}

// ErlangC is the Erlang C probability C(c, a) that an arrival to an M/M/c
// queue with offered load a Erlangs has to wait. It is 1 when a ≥ c (no
// steady state: every arrival eventually waits).
//
// C = B/(1 − ρ(1 − B)) with ρ = a/c and B = ErlangB(c, a) (docs/queueing.md §2;
// Octave queueing erlangc.m). Invalid input gives NaN; c = 0 gives 1.
func ErlangC(c int, a float64) float64 {
	b := ErlangB(c, a)
	if math.IsNaN(b) {
		return b
	}
	if a >= float64(c) {
		return 1
	}
	rho := a / float64(c)
	return b / (1 - rho*(1-b))
}
