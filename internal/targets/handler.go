package targets

import (
	"io"
	"math"
	"net/http"
	"strconv"
	"time"
)

// serveModel is "/": admit or reject at arrival, wait FIFO for a worker,
// emulate the service by waiting, measure what was actually spent.
//
// Stalls: a request in service during a stall keeps its worker and makes no
// progress, so the stalled time is part of its measured service time (svc
// in Server-Timing, the histogram, busy-worker seconds) and is also reported
// separately as "stall"; time a waiting request spends behind a stalled
// worker is queue time.
func (s *Server) serveModel(w http.ResponseWriter) {
	s.mu.Lock()
	t, out := s.m.arrive(s.since())
	if out == started || out == queued {
		s.active.Add(1) // under mu and only while not closed: never races Wait
	}
	depth := s.m.waiting.len()
	s.mu.Unlock()
	switch out {
	case rejected:
		s.writeRejected(w, depth)
		return
	case limited:
		s.writeLimited(w)
		return
	case closing:
		writeClosing(w)
		return
	}
	defer s.active.Done()
	if out == queued {
		switch s.awaitWorker(t) {
		case waitClosed:
			writeClosing(w)
			return
		case waitExpired:
			s.writeTimedOut(w)
			return
		}
	}
	// Wait until an absolute deadline, so the wake-up latency of a queued
	// goroutine does not add to its service.
	if !s.sleepUntil(t.started, s.stall.finish(t.started, t.nominal)) {
		writeClosing(w)
		return
	}
	s.mu.Lock()
	end := s.since()
	ok := s.m.complete(t, end)
	s.mu.Unlock()
	if !ok {
		writeClosing(w)
		return
	}
	writeServed(w, t.started-t.arrived, end-t.started, s.stall.overlap(t.started, end))
}

// sleepUntil waits until model time end for a service that started at
// start; false if the server was closed.
//
// Timers overshoot (measured on loopback under load: ~0.1–0.6 ms, see
// TestServiceTimeEmulation), which would make every service longer than
// its sample. So the wait aims lead early, where lead tracks the mean recent
// overshoot (an EWMA over wake-ups), capped at half the service so short
// services are never cut to nothing. No spinning: it costs no CPU. Whatever
// happens, the time reported is the time measured, not the sample.
func (s *Server) sleepUntil(start, end time.Duration) bool {
	lead := min(time.Duration(s.lead.Load()), (end-start)/2)
	aim := end - lead
	d := aim - s.since()
	if d <= 0 {
		select {
		case <-s.done:
			return false
		default:
			return true
		}
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
	case <-s.done:
		return false
	}
	// Update the estimate with this wake-up's overshoot. Concurrent updates
	// may overwrite each other; for a running mean that only loses samples.
	over := min(max(s.since()-aim, 0), maxLead)
	old := s.lead.Load()
	s.lead.Store(old + (int64(over)-old)/leadEWMA)
	return true
}

const (
	maxLead  = 2 * time.Millisecond // bound on the overshoot estimate
	leadEWMA = 32                   // EWMA weight 1/32: ~32 wake-ups of memory
)

// writeServed answers 200 with the measured queue wait and service time.
func writeServed(w http.ResponseWriter, wait, svc, stall time.Duration) {
	h := w.Header()
	h["Server-Timing"] = []string{serverTiming(wait, svc, stall)}
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "ok\n")
}

// serverTiming formats "queue;dur=W, svc;dur=S" in milliseconds with
// microsecond resolution, adding ", stall;dur=X" when the service was
// frozen by a stall for X ms (already included in S).
func serverTiming(wait, svc, stall time.Duration) string {
	b := make([]byte, 0, 64)
	b = append(b, "queue;dur="...)
	b = appendMillis(b, wait)
	b = append(b, ", svc;dur="...)
	b = appendMillis(b, svc)
	if stall > 0 {
		b = append(b, ", stall;dur="...)
		b = appendMillis(b, stall)
	}
	return string(b)
}

func appendMillis(b []byte, d time.Duration) []byte {
	return strconv.AppendFloat(b, float64(d)/float64(time.Millisecond), 'f', 3, 64)
}

// Outcomes of awaitWorker.
const (
	waitStarted = iota
	waitExpired
	waitClosed
)

// awaitWorker waits until a worker takes the queued ticket t, its queue
// timeout passes (Deadline), or the server closes. The expiry itself is
// decided in model time by model.advance (expireDue), so it happens at
// the deadline exactly even when this goroutine wakes late; the timer
// only makes sure someone advances the model then.
func (s *Server) awaitWorker(t *ticket) int {
	var timeout <-chan time.Time
	if p := s.m.patience; p > 0 {
		tm := time.NewTimer(max(0, t.arrived+p-s.since()))
		defer tm.Stop()
		timeout = tm.C
	}
	for {
		select {
		case <-t.ready: // a worker took it (t.started, t.nominal set) or it expired
			if t.expired {
				return waitExpired
			}
			return waitStarted
		case <-s.done:
			return waitClosed
		case <-timeout:
			s.mu.Lock()
			s.m.advance(s.since()) // expires t if its deadline passed
			expired := t.expired
			s.mu.Unlock()
			timeout = nil // t.ready has its answer now, or will
			if !expired {
				// Woken before the deadline on the model's clock: wait again.
				tm := time.NewTimer(max(time.Millisecond/10, t.arrived+s.m.patience-s.since()))
				defer tm.Stop()
				timeout = tm.C
			}
		}
	}
}

// writeTimedOut answers 503 for a request whose queue timeout passed, with
// Retry-After as writeRejected's.
func (s *Server) writeTimedOut(w http.ResponseWriter) {
	s.mu.Lock()
	depth := s.m.waiting.len()
	s.mu.Unlock()
	h := w.Header()
	h["Retry-After"] = []string{s.retryAfter(depth)}
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, "overloaded: no worker became free within the queue timeout\n")
}

// writeLimited answers a request the token bucket refused: 429 (or 503 as
// configured), with Retry-After the time until the next whole token, in
// whole seconds rounded up, at least 1.
func (s *Server) writeLimited(w http.ResponseWriter) {
	s.mu.Lock()
	need := (1 - s.m.tokens) / s.m.rate
	s.mu.Unlock()
	h := w.Header()
	h["Retry-After"] = []string{strconv.FormatFloat(max(math.Ceil(need), 1), 'f', 0, 64)}
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(s.cfg.limitStatus())
	_, _ = io.WriteString(w, "rate limited: over the configured request rate\n")
}

// retryAfter is the expected time for depth waiting requests plus one
// service to drain through the c workers, (depth/c + 1)·E[S], in whole
// seconds rounded up, at least 1.
func (s *Server) retryAfter(depth int) string {
	secs := math.Ceil((float64(depth)/float64(s.cfg.Workers) + 1) * s.cfg.Service.Mean)
	return strconv.FormatFloat(max(secs, 1), 'f', 0, 64)
}

// writeRejected answers 503 for a full system. Retry-After is the expected
// time for the waiting requests ahead plus one service to drain through the
// c workers, (depth/c + 1)·E[S], in whole seconds rounded up, at least 1.
func (s *Server) writeRejected(w http.ResponseWriter, depth int) {
	h := w.Header()
	h["Retry-After"] = []string{s.retryAfter(depth)}
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, "overloaded: all workers busy and the queue is full\n")
}

// writeClosing answers 503 for a request cut off by Close or arriving while
// the server drains.
func writeClosing(w http.ResponseWriter) {
	h := w.Header()
	h["Retry-After"] = []string{"1"}
	h["Connection"] = []string{"close"}
	h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	w.WriteHeader(http.StatusServiceUnavailable)
	_, _ = io.WriteString(w, "shutting down\n")
	// Put the answer on the wire now: Close shuts connections right after
	// the cut-off handlers return.
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
}
