package openloop

import "time"

// SlackAuto, as Config.TimerSlack, makes the event loop's timer slack as
// much as any sleep of an ordinary thread may end late on this machine
// anyway: the larger of the kernel's timer slack for the thread (the
// lateness Linux allows a timed sleep so that wake-ups coalesce: 50 µs
// unless prctl or the service manager set another) and the wake-up
// latency the loop measures as it runs (wakeLatency), at most
// maxAutoSlack. The loop itself sleeps with a 1 ns kernel slack and spends
// that allowance on its arrivals instead: one due within it after another
// shares that one's wake-up, so it is sent at most the allowance plus a
// wake-up latency late. The worker pool, whose sleeper yields through the
// last moments before a deadline, takes SlackAuto as no slack.
const SlackAuto time.Duration = -1

// Bounds of the automatic slack: it never passes maxAutoSlack (a machine
// so loaded that its wake-ups come later than that is already reported by
// the send lag; the slack does not follow it further), and the learnt
// latency moves by at least minSlackStep per wake-up.
const (
	maxAutoSlack = 200 * time.Microsecond
	minSlackStep = 500 * time.Nanosecond
)

// wakeLatency estimates the median lateness of the loop's timed wake-ups
// (from the deadline it slept to until it runs again), ns: each sample
// moves the estimate a step towards itself, so a rare late wake-up (a
// preemption, a page fault) moves it one step however late it was, and
// the estimate settles where as many samples fall above as below it. The
// step is a 64th of the estimate (at least minSlackStep), so it reaches
// 60 µs from zero in about 100 wake-ups (50 ms at 2000 rps) and then
// wobbles by a few µs.
type wakeLatency struct {
	est   time.Duration
	floor time.Duration // the kernel's timer slack for the thread (SlackAuto's least)
}

// observe takes the lateness of one timed wake-up.
func (w *wakeLatency) observe(late time.Duration) {
	step := max(w.est/64, minSlackStep)
	switch {
	case late > w.est:
		w.est = min(w.est+step, maxAutoSlack)
	case late < w.est:
		w.est = max(w.est-step, 0)
	}
}

// slack is the timer slack a dispatcher uses: the configured one, or
// under SlackAuto the larger of the kernel's slack and the learnt latency,
// at most maxAutoSlack.
func (w *wakeLatency) slack(configured time.Duration) time.Duration {
	if configured == SlackAuto {
		return min(max(w.est, w.floor), maxAutoSlack)
	}
	return configured
}
