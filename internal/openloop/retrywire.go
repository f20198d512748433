package openloop

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/bploadgen/bploadgen/internal/placeholder"
	"github.com/bploadgen/bploadgen/internal/retry"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Client retries (Config.Retry, docs/retry.md). A logical request is one
// arrival; its first attempt is sent open loop as without retries, and an
// attempt that ends retryable schedules the next one as one more open-loop
// send at end + Policy.Delay, on the dispatcher that sent the arrival (a
// min-heap merged with the schedule: retryworkers.go for the worker pool,
// retryloop_linux.go for an event loop). Every attempt takes a slot of
// MaxInFlight (a retry finding none is attempts.not_sent) and, with a
// budget, a token (none: attempts.budget_denied); either ends the logical
// request with its last attempt's outcome. The recording path keeps its
// meaning for the logical request: sent at the first attempt's send, done
// once with the final outcome, latency from the first intended time.
// Attempts are recorded beside it (retryrec.go). With retries off none of
// this runs: began and ended are sent and done.

// try is where a logical request stands: the attempt being sent or due.
type try struct {
	n     uint32        // the attempt: 0 the first, n the n-th retry
	at    time.Duration // its intended send time: the arrival's, or the retry's due time
	first time.Duration // the first attempt's actual send
	last  Response      // the attempt before (a retry): the outcome if this one is not sent
	level int32         // requests in flight at the first attempt's send (levels.go)
}

// pending is a retry waiting for its due time (t.at).
type pending struct {
	a schedule.Arrival
	t try
}

// retrier is the engine's retry policy and budget.
type retrier struct {
	pol    retry.Policy
	seed   uint64
	halt   atomic.Bool // an interrupt: attempts that end now are final
	mu     sync.Mutex  // the budget is shared by every dispatcher and worker
	budget *retry.Budget
}

func newRetrier(cfg *Config) *retrier {
	if !cfg.Retry.Enabled() {
		return nil
	}
	r := &retrier{pol: cfg.Retry, seed: cfg.RetrySeed}
	if cfg.Retry.BudgetPercent > 0 {
		r.budget = retry.NewBudget(cfg.Retry.BudgetPercent)
	}
	return r
}

func (r *retrier) deposit(now time.Duration) {
	if r.budget == nil {
		return
	}
	r.mu.Lock()
	r.budget.Deposit(now)
	r.mu.Unlock()
}

// withdraw asks the budget for a retry at now; true without a budget.
func (r *retrier) withdraw(now time.Duration) bool {
	if r.budget == nil {
		return true
	}
	r.mu.Lock()
	ok := r.budget.Withdraw(now)
	r.mu.Unlock()
	return ok
}

// retryable reports whether resp is an outcome the policy retries.
func (r *retrier) retryable(resp *Response) bool {
	if resp.ErrClass != "" {
		return r.pol.On.Error(resp.ErrClass)
	}
	return r.pol.On.Status(resp.Status)
}

// delay is how long after the failed attempt retry n of arrival seq is due:
// the policy's full-jitter backoff drawn from (seed, seq, n), at least an
// honoured Retry-After of resp (read from the header kept for a non-2xx
// response, which the parsers bound; a value ParseRetryAfter refuses is
// ignored). now is the wall-clock time of the response.
func (r *retrier) delay(seq int64, n uint32, resp *Response, now time.Time) time.Duration {
	u := placeholder.Float(placeholder.Draw(r.seed, placeholder.StreamRetry+uint64(n), uint64(seq)))
	var ra time.Duration
	var has bool
	if resp.Header != nil && r.pol.HonorRetryAfter {
		if v := resp.Header.Get("Retry-After"); v != "" {
			ra, has = retry.ParseRetryAfter(v, now)
		}
	}
	return r.pol.Delay(int(n), u, ra, has)
}

// began records that attempt t of a was sent at offset at: the first
// attempt is the logical request's send (and a budget deposit); a retry
// counts in its window's attempts. It returns t with the first attempt's
// times filled in.
func (e *Engine) began(a schedule.Arrival, t try, at time.Duration) try {
	if t.n == 0 {
		t.level = e.sent(a, at)
		if e.rt == nil {
			return t
		}
		t.at, t.first = a.At, at
		e.rt.deposit(at)
	}
	e.rec.attemptSent(t.at, t.n == 0)
	return t
}

// ended records the end of attempt t of a (sent at sent, ended at end with
// resp). When the logical request is final — retries off, an outcome not
// retried, no retry left, or the run interrupted — it records it (done,
// from the first attempt) and returns false; otherwise it returns the
// retry to schedule. resp's header and body are not kept in the retry.
func (e *Engine) ended(a schedule.Arrival, t *try, sent, end time.Duration, resp *Response) (pending, bool) {
	if e.rt == nil {
		e.done(a, sent, end, resp, t.level)
		return pending{}, false
	}
	e.rec.attemptDone(a, t.n, end-t.at, resp)
	if !e.rt.halt.Load() && t.n < uint32(e.rt.pol.Max) && e.rt.retryable(resp) {
		d := e.rt.delay(a.Seq, t.n+1, resp, e.cfg.Clock.Now())
		last := *resp
		last.Header, last.Body = nil, nil // sampled already; the buffers are reused
		return pending{a: a, t: try{n: t.n + 1, at: end + d, first: t.first, last: last}}, true
	}
	e.done(a, t.first, end, resp, t.level)
	return pending{}, false
}

// Why a due retry was not sent (dropRetry).
const (
	dropBound  = iota // the in-flight bound was reached: attempts.not_sent
	dropBudget        // no budget token: attempts.budget_denied
	dropHalt          // the run was interrupted before it fell due: not counted as an attempt
)

// dropRetry ends p's logical request at now with its last attempt's
// outcome, its retry not sent for why.
func (e *Engine) dropRetry(p *pending, why int, now time.Duration) {
	e.rec.retryDropped(p.a, why)
	e.done(p.a, p.t.first, max(now, p.t.first), &p.t.last, p.t.level)
}

// retryHeap is a dispatcher's retries, a binary min-heap by due time.
type retryHeap []pending

func (h *retryHeap) push(p pending) {
	*h = append(*h, p)
	s := *h
	for i := len(s) - 1; i > 0; {
		up := (i - 1) / 2
		if s[up].t.at <= s[i].t.at {
			break
		}
		s[up], s[i] = s[i], s[up]
		i = up
	}
}

// due reports the earliest due time; false when empty.
func (h retryHeap) due() (time.Duration, bool) {
	if len(h) == 0 {
		return 0, false
	}
	return h[0].t.at, true
}

func (h *retryHeap) pop() pending {
	s := *h
	top := s[0]
	n := len(s) - 1
	s[0] = s[n]
	s[n] = pending{}
	s = s[:n]
	for i := 0; ; {
		l, m := 2*i+1, i
		if l < n && s[l].t.at < s[m].t.at {
			m = l
		}
		if r := l + 1; r < n && s[r].t.at < s[m].t.at {
			m = r
		}
		if m == i {
			break
		}
		s[i], s[m] = s[m], s[i]
		i = m
	}
	*h = s
	return top
}
