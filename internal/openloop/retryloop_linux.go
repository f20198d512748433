//go:build linux

package openloop

import (
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Retries in an event loop (retrywire.go): each loop keeps the retries of
// the arrivals it sent in its own min-heap by due time, sends them between
// its arrivals (the loop wakes for the earliest), and runs until its heap
// is empty and nothing is in flight. A retry stays on its arrival's loop.

// endAttempt ends attempt t of a (ended), queueing its retry.
func (l *evLoop) endAttempt(a schedule.Arrival, t *try, sent, end time.Duration, resp *Response) {
	if p, again := l.e.ended(a, t, sent, end, resp); again {
		l.retries.push(p)
	}
}

// sendRetries sends (or drops) the retries due by now.
func (l *evLoop) sendRetries(now time.Duration) {
	for {
		d, ok := l.retries.due()
		if !ok || d > now {
			return
		}
		p := l.retries.pop()
		l.resend(&p, now)
	}
}

// resend sends a due retry: not sent when the in-flight bound is reached,
// denied when the budget has no token.
func (l *evLoop) resend(p *pending, now time.Duration) {
	e := l.e
	if !e.acquire() {
		e.dropRetry(p, dropBound, now)
		return
	}
	if !e.rt.withdraw(now) {
		e.release()
		e.dropRetry(p, dropBudget, now)
		return
	}
	t := e.began(p.a, p.t, now)
	l.inFlight++
	c := l.takeIdle()
	if c == nil {
		var err error
		if c, err = l.dial(); err != nil {
			l.inFlight--
			l.endAttempt(p.a, &t, now, now, new(failedResponse(err)))
			e.release()
			return
		}
	}
	c.t = t
	l.start(c, p.a, now, now+l.d.timeout)
}

// retryWake is the earliest due retry, or wake if none is earlier.
func (l *evLoop) retryWake(wake time.Duration) time.Duration {
	if d, ok := l.retries.due(); ok {
		return min(wake, d)
	}
	return wake
}

// haltRetries makes every attempt that ends from now on final and ends
// the loop's queued retries at now (an interrupt, or the loop's failure).
func (l *evLoop) haltRetries(now time.Duration) {
	if l.e.rt == nil {
		return
	}
	l.e.rt.halt.Store(true)
	for len(l.retries) > 0 {
		p := l.retries.pop()
		l.e.dropRetry(&p, dropHalt, now)
	}
}
