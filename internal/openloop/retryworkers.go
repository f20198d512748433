package openloop

import (
	"context"
	"sync"
	"time"
)

// Retries in the worker pool: a worker whose attempt ends retryable pushes
// the retry into the dispatcher's queue (a min-heap by due time) and wakes
// the dispatcher if it sleeps past the due time; the dispatcher sends due
// retries between arrivals (sleepTo), never waiting for them, and after
// the schedule keeps doing so until every logical request is final
// (afterSchedule). An interrupt closes the queue: the retries in it, and
// any pushed later, end their logical requests with their last outcome.

// retryQueue is the worker pool's pending retries.
type retryQueue struct {
	mu       sync.Mutex
	h        retryHeap
	wakeAt   time.Duration      // the dispatcher's sleep target while waker is set
	waker    context.CancelFunc // ends the dispatcher's sleep; nil when not sleeping
	draining bool               // the schedule is over: every final request wakes the dispatcher
	closed   bool               // interrupted: no more retries
}

// push queues p; false when the run was interrupted (the caller ends p's
// logical request).
func (q *retryQueue) push(p pending) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return false
	}
	q.h.push(p)
	if q.waker != nil && p.t.at < q.wakeAt {
		q.waker()
		q.waker = nil
	}
	return true
}

// kick wakes the dispatcher after the schedule when a logical request has
// ended: the run may be over.
func (q *retryQueue) kick() {
	q.mu.Lock()
	if q.draining && q.waker != nil {
		q.waker()
		q.waker = nil
	}
	q.mu.Unlock()
}

// workerEnded ends a worker's attempt (ended), queueing its retry.
func (e *Engine) workerEnded(it *item, sent, end time.Duration, resp *Response) {
	p, again := e.ended(it.a, &it.t, sent, end, resp)
	if e.rt == nil {
		return
	}
	if again && !e.rq.push(p) {
		e.dropRetry(&p, dropHalt, end)
		again = false
	}
	if !again {
		e.rq.kick()
	}
}

// sleepTo sleeps until offset t, sending the retries that fall due before
// it; false if ctx ended first. Dispatcher only.
func (e *Engine) sleepTo(ctx context.Context, sl Sleeper, t time.Duration) bool {
	if e.rt == nil {
		return sl.SleepUntil(ctx, e.start.Add(t))
	}
	for {
		now := e.sendDue()
		if now >= t {
			return true
		}
		if !e.sleepRetry(ctx, sl, t) {
			return false
		}
	}
}

// sleepRetry sleeps until t or the earliest retry, whichever is first, or
// until a worker pushes an earlier retry (or kicks); false if ctx ended.
func (e *Engine) sleepRetry(ctx context.Context, sl Sleeper, t time.Duration) bool {
	q := &e.rq
	q.mu.Lock()
	if q.draining && len(q.h) == 0 && e.final() {
		q.mu.Unlock() // over (checked under the lock a final request's kick takes)
		return true
	}
	if d, ok := q.h.due(); ok {
		t = min(t, d)
	}
	sctx, cancel := context.WithCancel(ctx)
	q.wakeAt, q.waker = t, cancel
	q.mu.Unlock()
	sl.SleepUntil(sctx, e.start.Add(t))
	q.mu.Lock()
	q.waker = nil
	q.mu.Unlock()
	cancel()
	return ctx.Err() == nil
}

// sendDue sends (or drops) every queued retry due by now and returns now.
func (e *Engine) sendDue() time.Duration {
	q := &e.rq
	for {
		now := e.cfg.Clock.Now().Sub(e.start)
		q.mu.Lock()
		d, ok := q.h.due()
		if !ok || d > now {
			q.mu.Unlock()
			return now
		}
		p := q.h.pop()
		q.mu.Unlock()
		e.offerRetry(&p, now)
	}
}

// offerRetry hands a due retry to a worker: not sent when the in-flight
// bound is reached, denied when the budget has no token.
func (e *Engine) offerRetry(p *pending, now time.Duration) {
	if e.idle.Load() == 0 && e.workers >= e.cfg.MaxInFlight {
		e.dropRetry(p, dropBound, now)
		return
	}
	if !e.rt.withdraw(now) {
		e.dropRetry(p, dropBudget, now)
		return
	}
	e.offer(item{a: p.a, t: p.t}) // succeeds: only the dispatcher takes idle workers or starts them
}

// afterSchedule keeps sending retries once the schedule is over, until
// every logical request is final; true if ctx interrupted it. Dispatcher
// only; with retries off it returns at once.
func (e *Engine) afterSchedule(ctx context.Context, sl Sleeper) bool {
	if e.rt == nil {
		return false
	}
	q := &e.rq
	q.mu.Lock()
	q.draining = true
	q.mu.Unlock()
	for {
		e.sendDue()
		q.mu.Lock()
		over := len(q.h) == 0 && e.final()
		q.mu.Unlock()
		if over {
			return false
		}
		if !e.sleepRetry(ctx, sl, time.Duration(1<<63-1)) {
			return true
		}
	}
}

// final reports whether every logical request scheduled has ended, as
// not sent or done (a request handed to a worker counts as sent only once
// the worker sends it, so sentN cannot tell).
func (e *Engine) final() bool {
	return e.scheduledN.Load() == e.notSentN.Load()+e.doneN.Load()
}

// haltRetries ends the queued retries after an interrupt at now, and makes
// every attempt that ends from now on final.
func (e *Engine) haltRetries(now time.Duration) {
	if e.rt == nil {
		return
	}
	e.rt.halt.Store(true)
	q := &e.rq
	q.mu.Lock()
	q.closed = true
	h := q.h
	q.h = nil
	q.mu.Unlock()
	for i := range h {
		e.dropRetry(&h[i], dropHalt, now)
	}
}
