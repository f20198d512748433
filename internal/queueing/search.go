package queueing

// SearchMin returns the smallest x in [lo, hi] with ok(x), for a predicate
// that is false below some threshold and true from it on, or hi+1 if ok(hi)
// is false. It starts at guess and gallops (steps 1, 2, 4, ...) down or up
// before bisecting, so a good guess costs O(log distance) evaluations.
func SearchMin(lo, hi, guess int, ok func(int) bool) int {
	if lo > hi {
		return hi + 1
	}
	g := min(max(guess, lo), hi)
	// Invariant for the final bisection: !ok(bad) (or bad = lo−1), ok(good).
	var bad, good int
	if ok(g) {
		good = g
		bad = lo - 1
		for step := 1; good > lo; step *= 2 {
			y := max(lo, good-step)
			if !ok(y) {
				bad = y
				break
			}
			good = y
		}
		if good == lo {
			return lo
		}
	} else {
		bad = g
		good = hi + 1
		for step := 1; bad < hi; step *= 2 {
			z := min(hi, bad+step)
			if ok(z) {
				good = z
				break
			}
			bad = z
		}
		if good > hi {
			return hi + 1
		}
	}
	for good-bad > 1 {
		mid := bad + (good-bad)/2
		if ok(mid) {
			good = mid
		} else {
			bad = mid
		}
	}
	return good
}
