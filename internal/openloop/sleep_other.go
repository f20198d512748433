//go:build !linux

package openloop

// newPreciseSleeper falls back to Go timers where no precise sleep is known.
func newPreciseSleeper() Sleeper { return newTimerSleeper() }
