package queueing

import "math"

// invertTail returns the smallest t ≥ 0 with tail(t) ≤ q, for a
// non-increasing tail function with tail(∞) = 0 and 0 < q < 1, to a relative
// precision of about 1e-14. It returns +Inf if tail never drops to q.
//
// The bracket starts at [0, start] and doubles (docs/queueing.md §2: "start the
// bracket at 1/μ and double"). It is then narrowed by the Illinois variant
// of regula falsi on ln tail(t) − ln q, which is nearly linear for the
// exponential-like tails here, so it converges in a handful of steps; a
// bisection step is forced whenever the bracket fails to halve, which keeps
// it safe at jumps (deterministic service) and where the tail underflows.
func invertTail(tail func(float64) float64, q, start float64) float64 {
	lq := math.Log(q)
	f := func(t float64) float64 { return math.Log(tail(t)) - lq }
	if tail(0) <= q {
		return 0
	}
	if !(start > 0) || !finite(start) {
		start = 1
	}
	lo, hi := 0.0, start
	flo := f(lo)
	fhi := f(hi)
	for i := 0; fhi > 0; i++ {
		if i > 1100 || math.IsInf(hi, 0) {
			return math.Inf(1)
		}
		lo, flo = hi, fhi
		hi *= 2
		fhi = f(hi)
	}
	side := 0 // which end moved last: −1 hi, +1 lo
	width := hi - lo
	for i := 0; i < 300 && hi-lo > 1e-14*hi; i++ {
		mid := math.NaN()
		if i%3 != 2 || hi-lo < 0.5*width { // every third step, bisect unless the bracket halved
			if finite(flo) && finite(fhi) && flo != fhi {
				mid = hi - fhi*(hi-lo)/(fhi-flo)
			}
		}
		if i%3 == 2 {
			width = hi - lo
		}
		if !(mid > lo && mid < hi) {
			mid = lo + (hi-lo)/2
			if mid <= lo || mid >= hi {
				break
			}
		}
		fm := f(mid)
		switch {
		case fm > 0:
			lo, flo = mid, fm
			if side == 1 {
				fhi /= 2 // Illinois: the other end was kept twice
			}
			side = 1
		case fm < 0:
			hi, fhi = mid, fm
			if side == -1 {
				flo /= 2
			}
			side = -1
		default:
			return mid // tail(mid) == q exactly (or NaN: give up here)
		}
	}
	return hi
}
