package queueing

import (
	"errors"
	"fmt"
	"math"
)

// CurveShape tells Knee which way an increasing curve bends.
type CurveShape int

const (
	// Concave curves flatten out, like throughput against offered load.
	Concave CurveShape = iota
	// Convex curves shoot up, like latency against offered load.
	Convex
)

// Knee returns the index of the knee of the points (xs[i], ys[i]) by
// Kneedle (Satopää, Albrecht, Irwin, Raghavan, "Finding a 'Kneedle' in a
// Haystack", ICDCS Workshops 2011, doi:10.1109/ICDCSW.2011.20; docs/queueing.md
// §7): normalise x and y to [0, 1] and take the maximum of y_n − x_n for a
// concave curve, or x_n − y_n for a convex one. xs must be strictly
// increasing and there must be at least 3 points; ys should be increasing
// overall (smooth noisy data first). It is the offline form: the global
// maximum, no sensitivity threshold.
func Knee(xs, ys []float64, shape CurveShape) (int, error) {
	n := len(xs)
	if n != len(ys) {
		return 0, fmt.Errorf("knee: %d x values but %d y values", n, len(ys))
	}
	if n < 3 {
		return 0, fmt.Errorf("knee: need at least 3 points, got %d", n)
	}
	if shape != Concave && shape != Convex {
		return 0, fmt.Errorf("knee: unknown curve shape %d", shape)
	}
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i := range n {
		if !finite(xs[i]) || !finite(ys[i]) {
			return 0, fmt.Errorf("knee: point %d (%g, %g) is not finite", i, xs[i], ys[i])
		}
		if i > 0 && !(xs[i] > xs[i-1]) {
			return 0, fmt.Errorf("knee: x values must be strictly increasing (x[%d] = %g after %g)", i, xs[i], xs[i-1])
		}
		ymin, ymax = math.Min(ymin, ys[i]), math.Max(ymax, ys[i])
	}
	if ymax == ymin {
		return 0, errors.New("knee: y is constant, so there is no knee")
	}
	x0, xr, yr := xs[0], xs[n-1]-xs[0], ymax-ymin
	best, bestD := 0, math.Inf(-1)
	for i := range n {
		xn, yn := (xs[i]-x0)/xr, (ys[i]-ymin)/yr
		d := yn - xn
		if shape == Convex {
			d = xn - yn
		}
		if d > bestD {
			best, bestD = i, d
		}
	}
	return best, nil
}
