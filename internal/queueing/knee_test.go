package queueing

import (
	"math"
	"testing"
)

func TestKneeMMCKThroughput(t *testing.T) {
	// Kneedle (V. Satopää, J. Albrecht, D. Irwin, B. Raghavan, ICDCS
	// Workshops 2011, pp. 166–171); docs/queueing.md §7/§10.8: it finds the 800/s knee (= cμ) of the M/M/8/16
	// throughput curve. Offered load 100..1600/s in steps of 100.
	var xs, ys []float64
	for l := 100.0; l <= 1600; l += 100 {
		m := mustMMCK(t, l, 100, 8, 16)
		xs = append(xs, l)
		ys = append(ys, m.Throughput())
	}
	i, err := Knee(xs, ys, Concave)
	if err != nil || xs[i] != 800 {
		t.Errorf("throughput knee at %g (%v), want 800", xs[i], err)
	}
}

func TestKneeSimple(t *testing.T) {
	// A hockey stick by construction: y = min(x, 5) on 0..10 → knee at 5.
	var xs, ys []float64
	for x := 0.0; x <= 10; x++ {
		xs = append(xs, x)
		ys = append(ys, math.Min(x, 5))
	}
	if i, err := Knee(xs, ys, Concave); err != nil || i != 5 {
		t.Errorf("knee %d, %v", i, err)
	}
	// Convex: y = max(0, x − 5) → elbow at 5.
	for i := range ys {
		ys[i] = math.Max(0, xs[i]-5)
	}
	if i, err := Knee(xs, ys, Convex); err != nil || i != 5 {
		t.Errorf("convex knee %d, %v", i, err)
	}
	for _, bad := range []struct{ xs, ys []float64 }{
		{[]float64{1, 2}, []float64{1, 2}},
		{[]float64{1, 2, 3}, []float64{1, 2}},
		{[]float64{1, 1, 2}, []float64{1, 2, 3}},
		{[]float64{1, 2, 3}, []float64{4, 4, 4}},
		{[]float64{1, 2, math.NaN()}, []float64{1, 2, 3}},
	} {
		if _, err := Knee(bad.xs, bad.ys, Concave); err == nil {
			t.Errorf("Knee(%v, %v) succeeded", bad.xs, bad.ys)
		}
	}
	if _, err := Knee(xs, ys, CurveShape(7)); err == nil {
		t.Error("bad shape accepted")
	}
}
