package openloop

import (
	"context"
	"time"
)

// Clock is the engine's time source. SystemClock is the real one; tests run
// the engine inside testing/synctest with TimerClock, whose waits are
// ordinary Go timers and therefore virtual there.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) *time.Timer
	// NewSleeper returns a Sleeper for the calling goroutine alone; the
	// caller must Close it from the same goroutine.
	NewSleeper() Sleeper
}

// Sleeper waits until a point in time.
type Sleeper interface {
	// SleepUntil blocks until t (or returns at once if t has passed); it
	// returns false if ctx ended first.
	SleepUntil(ctx context.Context, t time.Time) bool
	Close()
}

// TimerClock waits with Go timers only. Go's netpoller rounds waits shorter
// than a millisecond up to about a millisecond, so real runs use
// SystemClock; TimerClock is for tests under testing/synctest.
type TimerClock struct{}

var _ Clock = TimerClock{}

// Now returns time.Now().
func (TimerClock) Now() time.Time { return time.Now() }

// NewTimer returns time.NewTimer(d).
func (TimerClock) NewTimer(d time.Duration) *time.Timer { return time.NewTimer(d) }

// NewSleeper returns a timer-based sleeper.
func (TimerClock) NewSleeper() Sleeper { return newTimerSleeper() }

type timerSleeper struct{ t *time.Timer }

func newTimerSleeper() *timerSleeper {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &timerSleeper{t: t}
}

func (s *timerSleeper) SleepUntil(ctx context.Context, t time.Time) bool {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err() == nil
	}
	s.t.Reset(d)
	select {
	case <-s.t.C:
		return true
	case <-ctx.Done():
		s.t.Stop()
		return false
	}
}

func (s *timerSleeper) Close() { s.t.Stop() }

// SystemClock is the real clock, with a precise sleeper where the platform
// has one (Linux: clock_nanosleep on a locked thread with 1 µs timer slack,
// about 20–50 µs late instead of about 1 ms).
type SystemClock struct{}

var _ Clock = SystemClock{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer returns time.NewTimer(d).
func (SystemClock) NewTimer(d time.Duration) *time.Timer { return time.NewTimer(d) }

// NewSleeper returns the platform's precise sleeper.
func (SystemClock) NewSleeper() Sleeper { return newPreciseSleeper() }
