package openloop

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// TestLongSleepAim: a sleep shorter than longSleepMin (the 500 µs between
// arrivals at 2000 rps, the 1.5 ms with a 1 ms slack) or none at all is
// taken whole; one of longSleepMin or more ends the learnt p90 early.
func TestLongSleepAim(t *testing.T) {
	us := time.Microsecond
	none := time.Duration(1<<63 - 1)
	s := longSleep{p90: 120 * us}
	for _, c := range []struct {
		now, wake, aim time.Duration
		long           bool
	}{
		{0, 500 * us, 500 * us, false},
		{10 * time.Millisecond, 11500 * us, 11500 * us, false},
		{0, longSleepMin - 1, longSleepMin - 1, false},
		{0, longSleepMin, longSleepMin - 120*us, true},
		{3 * time.Millisecond, 8 * time.Millisecond, 8*time.Millisecond - 120*us, true},
		{0, none, none, false},
	} {
		if aim, long := s.aim(c.now, c.wake); aim != c.aim || long != c.long {
			t.Errorf("aim(%v, %v) = %v, %v; want %v, %v", c.now, c.wake, aim, long, c.aim, c.long)
		}
	}
}

// TestLongSleepEstimate: the lead settles at the 90th percentile of how
// late first parts end, within its bounds, whatever the tail.
func TestLongSleepEstimate(t *testing.T) {
	us := time.Microsecond
	for _, c := range []struct {
		name   string
		sample func(r *rand.Rand) time.Duration
		p90    time.Duration // of the samples
		width  time.Duration // of their density near it (uniform there)
	}{
		// 5 ms sleeps on the measured VM: 60–160 µs late, every 50th a
		// 3 ms stall. Uniform on [60, 160] µs with 2% above: the p90 is at
		// 60 + 100·(0.9/0.98) µs.
		{"vm", func(r *rand.Rand) time.Duration {
			if r.IntN(50) == 0 {
				return 3 * time.Millisecond
			}
			return 60*us + time.Duration(r.Int64N(int64(100*us)))
		}, 60*us + 100*us*90/98, 100 * us * 50 / 49},
		{"quiet machine", func(r *rand.Rand) time.Duration { return 4*us + time.Duration(r.Int64N(int64(10*us))) }, 13 * us, 10 * us},
		{"never late", func(*rand.Rand) time.Duration { return 0 }, 0, 0},
		{"late past the bound", func(*rand.Rand) time.Duration { return 5 * time.Millisecond }, maxFirstLead, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := rand.New(rand.NewPCG(3, 4))
			var s longSleep
			var sum time.Duration
			const n, settled = 4000, 2000 // samples; the last settled are averaged
			for i := 0; i < n; i++ {
				s.observe(c.sample(r))
				if s.p90 < 0 || s.p90 > maxFirstLead {
					t.Fatalf("estimate %v after %d samples: outside [0, %v]", s.p90, i+1, maxFirstLead)
				}
				if i >= n-settled {
					sum += s.p90
				}
			}
			mean := sum / settled
			// The estimate is a random walk with steps 9s up (a tenth of
			// the samples, near the p90) and s down, which the density
			// 1/width near the p90 pulls back: its drift at x above the
			// p90 is −10·s·x/width per sample, its variance per sample
			// 9s², so it spreads by σ = √(0.45·s·width) and forgets in
			// τ = width/(10·s) samples. The mean of the last settled
			// estimates is then off the p90 by σ·√(2τ/settled) (5 of
			// them allowed) plus the bias of whole steps (2 allowed). On
			// "vm" that is 8 µs, and the median lies 41 µs below.
			st := max(c.p90/64, minSlackStep)
			sigma := math.Sqrt(0.45 * float64(st) * float64(c.width))
			tau := float64(c.width) / (10 * float64(st))
			tol := time.Duration(5*sigma*math.Sqrt(2*tau/settled)) + 2*st
			if mean < c.p90-tol || mean > c.p90+tol {
				t.Errorf("settled at %v on average, want within %v of the p90 %v", mean, tol, c.p90)
			}
		})
	}
}
