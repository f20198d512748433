package targets

import (
	"math/rand/v2"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// ticket is one admitted request's passage through the model. Times are
// offsets from the server's start on the monotonic clock.
type ticket struct {
	arrived time.Duration // admission
	started time.Duration // service start; set when a worker takes it
	nominal time.Duration // sampled service time (work, excluding stalls)
	ready   chan struct{} // receives once when a worker takes a queued ticket, or it expires
	expired bool          // its queue timeout passed before a worker took it (Deadline)
}

// outcome is what arrive decided.
type outcome int

const (
	started  outcome = iota // a worker was free: service starts now
	queued                  // waits in the FIFO for a worker
	rejected                // system full: answer 503 at once
	limited                 // no token in the bucket: answer the limit status at once
	closing                 // the server is shutting down
)

// model is the c-worker, FIFO, bounded-capacity queue, driven by explicit
// event times so tests can run it without a clock. Not safe for concurrent
// use: the Server guards it with its mutex.
type model struct {
	workers   int
	capacity  int // K = workers + queue slots; <0 for unbounded
	service   dist.Dist
	rng       *rand.Rand
	busy      int  // requests in service (≤ workers)
	waiting   fifo // admitted requests waiting for a worker, oldest first
	draining  bool // no new admissions
	closed    bool // aborted: counters frozen, nobody completes
	last      time.Duration
	busyArea  float64 // ∫ busy dt, worker·seconds
	queueArea float64 // ∫ len(waiting) dt, request·seconds
	served    uint64
	nominal   float64 // Σ sampled service seconds of served requests
	rejected  uint64
	aborted   uint64 // admitted but never completed because of Close
	svc       histogram
	wait      histogram

	// Shedding policies (policy.go): the Deadline patience; the RateLimit
	// token bucket; the AIMD limit (limit = capacity for the others).
	patience            time.Duration
	timedOut            uint64
	rate, burst, tokens float64
	tokenAt             time.Duration
	limited             uint64
	aimd                bool
	aimdTarget          time.Duration
	limit, ceiling      int
	successes           int
	limitArea           float64 // ∫ limit dt
}

// maxService caps a sampled service time (a lognormal with a large sigma can
// draw values beyond time.Duration's range).
const maxService = 1e6 // seconds

func newModel(cfg Config) model {
	m := model{
		workers:  cfg.Workers,
		capacity: cfg.SystemCapacity(),
		service:  cfg.Service,
		// PCG with a second word derived from the seed, so seeds 0, 1, … all
		// give well-mixed streams.
		rng:   rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15)),
		limit: cfg.SystemCapacity(),
	}
	switch cfg.Policy {
	case Deadline:
		m.patience = cfg.QueueTimeout
	case RateLimit:
		m.rate, m.burst, m.tokens = cfg.LimitRate, cfg.Burst, cfg.Burst
	case AIMD:
		m.aimd, m.aimdTarget = true, cfg.aimdTarget()
		m.ceiling = m.capacity
		m.limit = min(cfg.Workers, m.ceiling)
	}
	return m
}

// advance brings the model to now: it ends the waits that timed out
// (Deadline) and accumulates the time integrals. Every state change calls
// it first, so the areas are exact, not sampled.
func (m *model) advance(now time.Duration) {
	m.expireDue(now)
	m.integrate(now)
}

// integrate accumulates the time integrals up to now.
func (m *model) integrate(now time.Duration) {
	if now <= m.last {
		return
	}
	dt := (now - m.last).Seconds()
	m.busyArea += float64(m.busy) * dt
	m.queueArea += float64(m.waiting.len()) * dt
	if m.aimd {
		m.limitArea += float64(m.limit) * dt
	}
	m.last = now
}

// inSystem is N(t): requests in service plus waiting.
func (m *model) inSystem() int { return m.busy + m.waiting.len() }

// arrive admits or rejects a request arriving at now. Admission is decided
// from the state at arrival, as in the model: a token first (RateLimit),
// then reject iff N ≥ K (the AIMD limit L for AIMD).
func (m *model) arrive(now time.Duration) (*ticket, outcome) {
	if m.closed || m.draining {
		return nil, closing
	}
	m.advance(now)
	if !m.takeToken(now) {
		return nil, limited
	}
	if m.limit >= 0 && m.inSystem() >= m.limit {
		m.rejected++
		return nil, rejected
	}
	t := &ticket{arrived: now}
	if m.busy < m.workers { // a free worker implies an empty queue
		m.busy++
		m.begin(t, now)
		return t, started
	}
	t.ready = make(chan struct{}, 1)
	m.waiting.push(t)
	return t, queued
}

// begin starts t's service at now: samples its work, records its wait.
func (m *model) begin(t *ticket, now time.Duration) {
	t.started = now
	s := m.service.Sample(m.rng)
	if !(s < maxService) {
		s = maxService
	}
	t.nominal = time.Duration(s * float64(time.Second))
	m.wait.observe((now - t.arrived).Seconds())
	m.adapt(now - t.arrived)
}

// complete ends t's service at now and hands the worker to the oldest
// waiting request, if any, signalling it. It returns false if the model
// was aborted meanwhile (t was counted as aborted then).
func (m *model) complete(t *ticket, now time.Duration) bool {
	if m.closed {
		return false
	}
	m.advance(now)
	m.served++
	m.nominal += t.nominal.Seconds()
	m.svc.observe((now - t.started).Seconds())
	if m.waiting.len() == 0 {
		m.busy--
		return true
	}
	next := m.waiting.pop()
	m.begin(next, now)
	next.ready <- struct{}{} // buffered: never blocks
	return true
}

// abort ends the model at now: everything admitted and not complete is
// counted as aborted and nothing is admitted again. Idempotent.
func (m *model) abort(now time.Duration) {
	if m.closed {
		return
	}
	m.advance(now)
	m.aborted += uint64(m.inSystem())
	m.busy = 0
	m.waiting = fifo{}
	m.closed = true
}

// fifo is a queue of tickets.
type fifo struct {
	buf  []*ticket
	head int
}

func (q *fifo) len() int { return len(q.buf) - q.head }

func (q *fifo) push(t *ticket) { q.buf = append(q.buf, t) }

// peek returns the oldest ticket; the queue must not be empty.
func (q *fifo) peek() *ticket { return q.buf[q.head] }

// pop removes and returns the oldest ticket; the queue must not be empty.
func (q *fifo) pop() *ticket {
	t := q.buf[q.head]
	q.buf[q.head] = nil
	q.head++
	switch {
	case q.head == len(q.buf):
		q.buf, q.head = q.buf[:0], 0
	case q.head >= 64 && 2*q.head >= len(q.buf): // compact: memory stays O(len)
		n := copy(q.buf, q.buf[q.head:])
		clear(q.buf[n:])
		q.buf, q.head = q.buf[:n], 0
	}
	return t
}
