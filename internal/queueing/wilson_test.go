package queueing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

func TestWilsonPublished(t *testing.T) {
	// Newcombe, "Two-sided confidence intervals for the single proportion:
	// comparison of seven methods", Stat. Med. 17:857–872 (1998), Table II,
	// method 3 (score interval without continuity correction), 95%.
	for _, tt := range []struct {
		x, n   int64
		lo, hi string
	}{
		{81, 263, "0.2553", "0.3662"},
		{15, 148, "0.0624", "0.1605"},
		{0, 20, "0.0000", "0.1611"},
		{1, 29, "0.0061", "0.1718"},
	} {
		lo, hi, err := Wilson(tt.x, tt.n, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		checkPrinted(t, fmt.Sprintf("Wilson(%d/%d) low", tt.x, tt.n), lo, 1, tt.lo)
		checkPrinted(t, fmt.Sprintf("Wilson(%d/%d) high", tt.x, tt.n), hi, 1, tt.hi)
	}
}

func TestWilsonEdges(t *testing.T) {
	lo, hi, err := Wilson(0, 1000, 0.95)
	if err != nil || lo != 0 || !(hi > 0 && hi < 0.004) {
		t.Errorf("Wilson(0/1000) = [%g, %g] %v: want [0, z²/(n+z²) ≈ 0.0038]", lo, hi, err)
	}
	lo, hi, err = Wilson(1000, 1000, 0.95)
	if err != nil || hi != 1 || !(lo < 1 && lo > 0.996) {
		t.Errorf("Wilson(1000/1000) = [%g, %g] %v", lo, hi, err)
	}
	for _, bad := range [][2]int64{{-1, 10}, {11, 10}, {0, 0}} {
		if _, _, err := Wilson(bad[0], bad[1], 0.95); err == nil {
			t.Errorf("Wilson(%d, %d): no error", bad[0], bad[1])
		}
	}
	if _, _, err := Wilson(1, 10, 1); err == nil {
		t.Error("Wilson at level 1: no error")
	}
}

func TestWilsonCoverage(t *testing.T) {
	// The interval covers the true p in about 95% of binomial samples:
	// 2000 replications of n = 500 at p = 1% (seeded). Wilson's coverage at
	// np = 5 oscillates around the nominal level (Brown, Cai & DasGupta,
	// Stat. Sci. 16:101–133, 2001, fig. 5: within 0.93–0.97 there), so the
	// test allows that band plus 3 binomial SDs of the estimate,
	// 3·√(0.95·0.05/2000) = 0.015.
	r := rand.New(rand.NewPCG(7, 13))
	const reps, n, p = 2000, 500, 0.01
	hits := 0
	for range reps {
		var x int64
		for range n {
			if r.Float64() < p {
				x++
			}
		}
		lo, hi, _ := Wilson(x, n, 0.95)
		if lo <= p && p <= hi {
			hits++
		}
	}
	cov := float64(hits) / reps
	if tol := 3 * math.Sqrt(0.95*0.05/reps); cov < 0.93-tol || cov > 0.97+tol {
		t.Errorf("coverage %.3f, want 0.93–0.97 ± %.3f", cov, tol)
	}
}
