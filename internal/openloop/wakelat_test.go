package openloop

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestWakeLatencyEstimate: the estimate settles at the median of the
// samples whatever their tail and stays within its bounds; the slack it
// gives under SlackAuto is at least the kernel's.
func TestWakeLatencyEstimate(t *testing.T) {
	us := time.Microsecond
	cases := []struct {
		name   string
		sample func(r *rand.Rand) time.Duration
		median time.Duration
		width  time.Duration // of the samples' density near the median (uniform there)
	}{
		// 60 ± 10 µs, as this project's 2-CPU VM wakes, and every 20th
		// wake-up 10 ms late (a preemption): the median is still 60 µs.
		{"vm with a tail", func(r *rand.Rand) time.Duration {
			if r.IntN(20) == 0 {
				return 10 * time.Millisecond
			}
			return 50*us + time.Duration(r.Int64N(int64(20*us)))
		}, 60 * us, 20 * us * 20 / 19},
		{"quiet machine", func(r *rand.Rand) time.Duration { return 4*us + time.Duration(r.Int64N(int64(2*us))) }, 5 * us, 2 * us},
		{"always early (never below zero)", func(*rand.Rand) time.Duration { return -time.Millisecond }, 0, 0},
		{"loaded past the cap", func(*rand.Rand) time.Duration { return 5 * time.Millisecond }, maxAutoSlack, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(1, 2))
			var w wakeLatency
			lo, hi := time.Duration(1<<62), time.Duration(0)
			for i := 0; i < 4000; i++ {
				w.observe(c.sample(r))
				if w.est < 0 || w.est > maxAutoSlack {
					t.Fatalf("estimate %v after %d samples: outside [0, %v]", w.est, i+1, maxAutoSlack)
				}
				if i >= 2000 { // settled: the last 2000
					lo, hi = min(lo, w.est), max(hi, w.est)
				}
			}
			// A step-towards-the-sample estimator wobbles around the
			// median like a random walk with restoring drift: with step s
			// and the samples' density 1/width near the median, its
			// spread is σ = √(s·width/4). Over 2000 samples the range
			// stays within ±5σ (plus a step for where it stops).
			s := max(c.median/64, minSlackStep)
			sigma := time.Duration(math.Sqrt(float64(s) * float64(c.width) / 4))
			tol := 5*sigma + s
			if lo < c.median-tol || hi > c.median+tol {
				t.Errorf("settled between %v and %v, want within %v of the median %v", lo, hi, tol, c.median)
			}
		})
	}
	// The slack: a given one as given; under SlackAuto the larger of the
	// kernel's slack and the learnt latency, at most maxAutoSlack.
	for _, c := range []struct {
		w                wakeLatency
		configured, want time.Duration
	}{
		{wakeLatency{est: 70 * us, floor: 50 * us}, SlackAuto, 70 * us},
		{wakeLatency{est: 20 * us, floor: 50 * us}, SlackAuto, 50 * us},
		{wakeLatency{est: 20 * us, floor: time.Millisecond}, SlackAuto, maxAutoSlack},
		{wakeLatency{est: 70 * us, floor: 50 * us}, 0, 0},
		{wakeLatency{est: 70 * us, floor: 50 * us}, time.Millisecond, time.Millisecond},
	} {
		if got := c.w.slack(c.configured); got != c.want {
			t.Errorf("%+v: slack(%v) = %v, want %v", c.w, c.configured, got, c.want)
		}
	}
}
