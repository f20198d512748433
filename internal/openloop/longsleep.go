package openloop

import "time"

// A long sleep in two parts. On the measured VM a timed sleep ends the
// later the longer it was: a bare thread's sleeps of 200 µs ended 28 µs
// late at the median, of 1 ms 45–71 µs, of 5 ms 60–120 µs, because a
// processor idle that long is woken from deeper (bench/README.md, the
// section on long sleeps). At 200 rps every send of the event loop
// followed a 5 ms sleep and went out 100–170 µs late at the median.
//
// So the loop takes a sleep of longSleepMin or more in two parts: the
// first ends lead early, lead being the learnt 90th percentile of how late
// such first parts end (at most maxFirstLead), and the second sleeps what is
// left, a short sleep that ends about as late as short sleeps do. Neither
// part spins. The price is one more wake-up per long sleep, at most
// 1/longSleepMin a second (500), and none where wake-ups are what a
// request costs: at 2000 rps arrivals are 500 µs apart, and 1.5 ms with a
// 1 ms timer slack. A first part that ends past the deadline anyway (one
// in ten, by construction) is that send's wake-up, as before.
type longSleep struct {
	p90 time.Duration // how late first parts end, the estimated 90th percentile (≥ 0, ≤ maxFirstLead)
}

const (
	// longSleepMin is the shortest sleep taken in two parts.
	longSleepMin = 2 * time.Millisecond
	// maxFirstLead bounds how early a first part ends: at most half of
	// longSleepMin, so that a first part is still a sleep of 1 ms or more.
	maxFirstLead = longSleepMin / 2
)

// aim is when the sleep from now to wake should end: wake for a short
// sleep (or none, wake = MaxInt64), lead before it for a long one; long
// says which.
func (s *longSleep) aim(now, wake time.Duration) (aim time.Duration, long bool) {
	if wake == time.Duration(1<<63-1) || wake-now < longSleepMin {
		return wake, false
	}
	return wake - s.p90, true
}

// observe takes how late a long sleep's first part ended, past its aim.
// The estimate moves up nine steps for a sample above it and one down for
// a sample below, so it settles where a tenth of the samples lie above:
// the 90th percentile. A step is a 64th of the estimate, at least
// minSlackStep.
func (s *longSleep) observe(late time.Duration) {
	step := max(s.p90/64, minSlackStep)
	switch {
	case late > s.p90:
		s.p90 = min(s.p90+9*step, maxFirstLead)
	case late < s.p90:
		s.p90 = max(s.p90-step, 0)
	}
}
