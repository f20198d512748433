package main

import (
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestLagsAgainstLateFirst: arrivals at rate R, the first 100 µs late,
// one in ten of the others 80 µs late, the rest on time. Placed at the
// least late arrival, the schedule reads those lags back: the first
// arrival's 100 µs as the maximum, 80 µs at p99 (10% are late); placed
// at the first arrival, as before, every lag read 0.
func TestLagsAgainstLateFirst(t *testing.T) {
	const rate = 2000.0
	t0 := time.Unix(1000, 0)
	var at []time.Time
	for k := 0; k < 1000; k++ {
		late := time.Duration(0)
		switch {
		case k == 0:
			late = 100 * time.Microsecond
		case k%10 == 5:
			late = 80 * time.Microsecond
		}
		at = append(at, t0.Add(time.Duration(float64(k)/rate*1e9)+late))
	}
	h := lagsAgainst(at, rate, 0)
	// The histogram keeps 3 significant digits: within 0.1%.
	near := func(got int64, want time.Duration) bool {
		return got >= int64(want)*999/1000 && got <= int64(want)*1001/1000
	}
	if p99, max := h.ValueAtQuantile(99), h.Max(); !near(p99, 80*time.Microsecond) || !near(max, 100*time.Microsecond) {
		t.Errorf("p99 %v max %v, want 80µs and 100µs", time.Duration(p99), time.Duration(max))
	}
	if p50 := h.ValueAtQuantile(50); p50 != 0 {
		t.Errorf("p50 %v, want 0 (nine in ten on time)", time.Duration(p50))
	}
	if h := lagsAgainst(at, rate, 1); h.Max() > int64(81*time.Microsecond) || h.ValueAtQuantile(99) < int64(79*time.Microsecond) {
		t.Errorf("skip=1: p99 %v max %v, want 80µs", time.Duration(h.ValueAtQuantile(99)), time.Duration(h.Max()))
	}
	if h := lagsAgainst(nil, rate, 3); h.TotalCount() != 0 {
		t.Errorf("no arrivals: %d lags", h.TotalCount())
	}
}

// TestCountOver: the lags over 250 µs are those over it, not at it.
func TestCountOver(t *testing.T) {
	h := hdr.New(1, int64(time.Hour), 3)
	for _, d := range []time.Duration{100 * time.Microsecond, 250 * time.Microsecond, 252 * time.Microsecond, time.Millisecond, time.Second} {
		h.RecordValue(int64(d))
	}
	if n := countOver(h, 250*time.Microsecond); n != 3 {
		t.Errorf("over 250 µs: %d, want 3", n)
	}
}
