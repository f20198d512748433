package queueing

import (
	"math"
	"testing"
)

func TestRelaxationTimeMMCK(t *testing.T) {
	// M/M/1/K: −Q has the eigenvalues λ + μ − 2√(λμ)·cos(jπ/(K+1)),
	// j = 1..K, besides 0 (classical; e.g. Kleinrock vol. 1 §2.x, and
	// verified here for K = 1, where the gap is λ + μ exactly).
	for _, tc := range []struct {
		lambda, mu float64
		k          int
	}{{50, 100, 1}, {50, 100, 10}, {90, 100, 30}, {150, 100, 16}, {100, 100, 200}} {
		want := 1 / (tc.lambda + tc.mu - 2*math.Sqrt(tc.lambda*tc.mu)*math.Cos(math.Pi/float64(tc.k+1)))
		got := RelaxationTimeMMCK(tc.lambda, tc.mu, 1, tc.k)
		if math.Abs(got/want-1) > 1e-9 {
			t.Errorf("M/M/1/%d λ=%g μ=%g: got %g want %g", tc.k, tc.lambda, tc.mu, got, want)
		}
	}
	// Unbounded M/M/1, ρ < 1: the gap is (√μ − √λ)², RelaxationTimeMM1
	// (0.12, 0.90, 3.8 s at ρ = 0.5, 0.8, 0.9 with μ = 100/s; docs/queueing.md §8).
	for _, rho := range []float64{0.5, 0.8, 0.9} {
		want := RelaxationTimeMM1(100*rho, 100)
		got := RelaxationTimeMMCK(100*rho, 100, 1, 0)
		if math.Abs(got/want-1) > 0.01 {
			t.Errorf("M/M/1 ρ=%g: got %g want %g", rho, got, want)
		}
	}
	// K = c (Erlang loss, c = 1): the two-state chain's gap is λ + μ.
	if got := RelaxationTimeMMCK(30, 100, 1, 1); math.Abs(got-1/130.0) > 1e-12 {
		t.Errorf("M/M/1/1: got %g", got)
	}
	// The demo's M/M/8/24 at λ = 900 (ρ = 1.125): no closed form, so only a
	// sanity range; its bounded queue relaxes in well under a second.
	if got := RelaxationTimeMMCK(900, 100, 8, 24); !(got > 0.001 && got < 1) {
		t.Errorf("M/M/8/24: %g", got)
	}
	if got := RelaxationTimeMMCK(900, 100, 8, 0); !math.IsInf(got, 1) {
		t.Errorf("unstable unbounded: %g, want +Inf", got)
	}
	if got := RelaxationTimeMMCK(0, 100, 8, 24); got != 0.01 {
		t.Errorf("λ = 0: %g", got)
	}
	for _, bad := range [][4]float64{{-1, 100, 1, 2}, {1, 0, 1, 2}, {1, 100, 0, 2}, {1, 100, 4, 2}, {math.NaN(), 1, 1, 1}} {
		if got := RelaxationTimeMMCK(bad[0], bad[1], int(bad[2]), int(bad[3])); !math.IsNaN(got) {
			t.Errorf("%v: %g, want NaN", bad, got)
		}
	}
}

// TestRelaxationMonotoneInK: a bigger waiting room can only slow the
// chain's mixing near saturation (more states to diffuse over).
func TestRelaxationMonotoneInK(t *testing.T) {
	prev := 0.0
	for _, k := range []int{8, 16, 24, 48, 96} {
		got := RelaxationTimeMMCK(800, 100, 8, k)
		if !(got > prev) {
			t.Fatalf("K=%d: %g not above %g", k, got, prev)
		}
		prev = got
	}
}
