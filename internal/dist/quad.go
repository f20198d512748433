package dist

import "math"

// adaptiveSimpson integrates f over [a, b] to an absolute tolerance tol by
// recursive Simpson's rule with Richardson correction (Lyness 1969), at most
// 40 levels deep. A panel is accepted when its error estimate is within its
// share of tol or at the float resolution of its value; a NaN integrand ends
// the recursion (and the NaN is returned) instead of splitting forever.
func adaptiveSimpson(f func(float64) float64, a, b, tol float64) float64 {
	if !(b > a) {
		return 0
	}
	fa, fm, fb := f(a), f((a+b)/2), f(b)
	whole := (b - a) / 6 * (fa + 4*fm + fb)
	return simpsonStep(f, a, b, fa, fm, fb, whole, tol, 40)
}

func simpsonStep(f func(float64) float64, a, b, fa, fm, fb, whole, tol float64, depth int) float64 {
	m := (a + b) / 2
	lm, rm := (a+m)/2, (m+b)/2
	flm, frm := f(lm), f(rm)
	left := (m - a) / 6 * (fa + 4*flm + fm)
	right := (b - m) / 6 * (fm + 4*frm + fb)
	delta := left + right - whole
	if depth <= 0 || !(math.Abs(delta) > 15*tol) || math.Abs(delta) <= 1e-15*math.Abs(left+right) || m <= a || m >= b {
		return left + right + delta/15
	}
	return simpsonStep(f, a, m, fa, flm, fm, left, tol/2, depth-1) +
		simpsonStep(f, m, b, fm, frm, fb, right, tol/2, depth-1)
}
