package openloop

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/retry"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Config is one run.
type Config struct {
	Schedule *schedule.Schedule
	Doer     Doer
	// MaxInFlight bounds the requests in flight; an arrival that finds the
	// bound reached is not sent and counted as not_sent.
	MaxInFlight int
	// Grace is how long an interrupted run waits for requests in flight
	// before abandoning them (they are then counted as errors "canceled").
	Grace time.Duration
	Clock Clock
	// Redact hides secrets in error messages kept as samples.
	Redact func(string) string
	// OnDone, if set, is called from the worker after each request with
	// its arrival, actual send and completion offsets from the start, and
	// its outcome (the per-request log); for an arrival that was not sent it
	// is called from the dispatcher with sent = end = −1 and a nil outcome.
	// It must be safe for concurrent use.
	OnDone func(a schedule.Arrival, sent, end time.Duration, r *Response)
	// OnWindow, if set, receives each timeline row (the row of
	// Recording.Timeline, equal to it) in order, as soon as every request
	// intended in its window and in every earlier one has ended and the
	// dispatcher has passed its end: during the run from the recorder's
	// finalizer goroutine (a slow OnWindow delays compaction, never a
	// request), the rest from Run before it returns. Rows carry no scrape.
	OnWindow func(result.Window)
	// StartAt, if not zero, is the wall-clock time the run starts at (the
	// engine waits for it); shards of one plan use it to start together.
	StartAt time.Time
	// EventLoop runs the H1 client's requests from one event loop instead
	// of a worker pool (Linux; Doer must be an *H1Doer).
	EventLoop bool
	// LoopBufferBytes bounds the memory the event loop holds for response
	// lines cut by a read (a header line whose end has not arrived yet),
	// all connections together, bytes; 0: DefaultLoopBufferBytes. A
	// request whose line would pass it fails (error class other, never
	// resent), and a warning of the recording counts those requests.
	LoopBufferBytes int
	// TimerSlack lets an arrival be sent up to this late so that arrivals
	// close together share one wake-up of the dispatcher (lookahead.go);
	// 0: each arrival is woken for at its intended time; SlackAuto: as
	// late as the machine's sleeps end anyway (wakelat.go).
	TimerSlack time.Duration
	// Parts, if it has more than one schedule, runs that many event loops
	// (EventLoop only), each on its own thread sending its own schedule:
	// disjoint parts of Schedule whose union is exactly Schedule's arrivals
	// (schedule.Shard composed with the run's own shard). They record into
	// one recording; MaxInFlight bounds them all together.
	Parts []*schedule.Schedule
	// WakePerResponse makes the event loop wake for every response and
	// time it when it reads it, instead of sleeping until its next send and
	// timing responses by the kernel's receive timestamps (evstamp_linux.go).
	WakePerResponse bool
	// Requests, if set, is the run's request set (package mix): each
	// arrival sends the set's request for its seq, rendered per arrival
	// (mixsend.go); nil: every arrival sends the Doer's one request. An
	// arrival the set has no request for is counted as not_sent.
	Requests *mix.Set
	// ByRequest records every stage and the total by request name
	// (Stage.ByRequest, mixrec.go); it needs Requests.
	ByRequest bool
	// Retry is how the clients retry (docs/retry.md, retrywire.go); the
	// zero Policy never retries. RetrySeed keys the backoff jitter.
	Retry     retry.Policy
	RetrySeed uint64
}

// DefaultGrace is the default Config.Grace.
const DefaultGrace = 2 * time.Second

// Recording is what a run produced, before the command adds the metadata.
type Recording struct {
	StartedAt   time.Time
	Elapsed     time.Duration // from the start to the last completion
	End         time.Duration // the plan's end, or the interrupt
	Interrupted bool
	Stages      []result.Stage
	Total       result.Stage
	Timeline    []result.Window
	Samples     *result.Samples
	Warnings    []string
	// NotSent is the number of arrivals the generator could not send.
	NotSent int64
	// PeakWorkers is the largest number of worker goroutines the pool had.
	PeakWorkers int
	// Err is set when the engine could not carry the plan to its end (the
	// event loop's setup or epoll_wait failed): the recording covers what
	// ran, every request sent included, and the run must fail.
	Err error
	// TimerSlack is the timer slack the run used: Config.TimerSlack, or
	// under SlackAuto the largest its event loops chose (GeneratorLimited
	// allows it).
	TimerSlack time.Duration
}

type item struct {
	a      schedule.Arrival
	t      try  // the attempt (retrywire.go): zero for the first
	retire bool // the worker closes its connection and exits
}

// Engine is a run in progress; Progress may be read while Run works.
type Engine struct {
	cfg   Config
	rec   *recorder
	start time.Time
	// started is start, published for Progress (read while Run works).
	started atomic.Pointer[time.Time]

	work    chan item
	workers int // owned by the dispatcher
	// idle counts workers that finished their request and are on their way
	// to (or parked at) the receive on work; only the dispatcher takes from it.
	idle    atomic.Int64
	wg      sync.WaitGroup
	reqCtx  context.Context
	abandon context.CancelFunc

	sentN, doneN, notSentN, scheduledN atomic.Int64
	loopErr                            error // the event loop's failure, reported as a warning
	// parts are the dispatchers' shares of the run (parts.go): one, or one
	// per event loop.
	parts []*part
	// flying counts the event loops' requests in flight, against
	// MaxInFlight; stopsMu collects their interrupt times (parts.go).
	flying  atomic.Int64
	stopsMu stops
	// hooks is the event loop's test seam (replaced system calls,
	// callbacks); nil in real runs.
	hooks *loopHooks
	// mix is Config.Requests' state (mixsend.go), nil without a set;
	// noRowN counts the arrivals it had no request for.
	mix    *mixState
	noRowN atomic.Int64
	// rt is Config.Retry's state, nil with retries off; rq the worker
	// pool's pending retries (retrywire.go, retryworkers.go).
	rt *retrier
	rq retryQueue
	// sampled is the statuses whose sample the recorder holds, for the
	// workers' reads (sampledSet).
	sampled syncStatusSet
}

// New prepares a run.
func New(cfg Config) (*Engine, error) {
	if cfg.Schedule == nil || cfg.Doer == nil {
		return nil, errors.New("openloop: a schedule and a doer are required")
	}
	if cfg.MaxInFlight < 1 {
		return nil, errors.New("openloop: max in flight must be >= 1")
	}
	if cfg.Clock == nil {
		cfg.Clock = SystemClock{}
	}
	if cfg.Grace <= 0 {
		cfg.Grace = DefaultGrace
	}
	if cfg.Redact == nil {
		cfg.Redact = func(s string) string { return s }
	}
	if cfg.EventLoop {
		if _, ok := cfg.Doer.(*H1Doer); !ok || !EventLoopSupported {
			return nil, errors.New("openloop: the event loop needs Linux and the H1 client")
		}
	}
	e := &Engine{cfg: cfg, work: make(chan item)}
	e.parts = newParts(&cfg)
	e.rt = newRetrier(&cfg)
	e.rec = newRecorder(cfg.Schedule, len(e.parts), cfg.Redact)
	if e.mix = newMixState(&cfg); e.mix != nil && cfg.ByRequest {
		e.rec.byReq = newReqRec(cfg.Requests, cfg.Schedule.Stages())
	}
	if cfg.OnWindow != nil {
		e.rec.row, e.rec.onWindow = e.windowResult, cfg.OnWindow
	}
	return e, nil
}

// Progress is a live view of a run.
type Progress struct {
	Elapsed, Planned                    time.Duration
	Scheduled, Sent, Done, NotSent, Now int64 // Now: in flight
}

// Progress returns counters for a progress display; safe during Run.
func (e *Engine) Progress() Progress {
	p := Progress{Planned: e.cfg.Schedule.Duration(), Scheduled: e.scheduledN.Load(),
		Sent: e.sentN.Load(), Done: e.doneN.Load(), NotSent: e.notSentN.Load()}
	p.Now = p.Sent - p.Done
	if st := e.started.Load(); st != nil {
		p.Elapsed = e.cfg.Clock.Now().Sub(*st)
	}
	return p
}

// Run sends the schedule and returns the recording. Cancelling ctx stops
// sending at once; requests in flight then get Config.Grace to finish.
// It collects garbage once before the start (runtime.GC).
func (e *Engine) Run(ctx context.Context) *Recording {
	clock := e.cfg.Clock
	e.reqCtx, e.abandon = context.WithCancel(context.WithoutCancel(ctx))
	defer e.abandon()
	_ = e.rec.enc.Prepare() // its zlib state: an error returns at its first use
	finalized := make(chan struct{})
	go e.rec.finalizer(finalized)
	e.rec.preopen(0) // finalize.go: the first stage's histograms
	e.prepare(ctx)   // prepare.go: loops and connections ready before the start
	// A collection now, with everything allocated that the start needs,
	// puts the next one far off: at 2000 rps none fell in a 10 s run, where
	// the first came about a second in (the first window's encoding) and
	// the loop woke 1.5-4 ms late around it (bench/README.md).
	runtime.GC()
	if !e.cfg.StartAt.IsZero() {
		sl := clock.NewSleeper()
		ok := sl.SleepUntil(ctx, e.cfg.StartAt)
		sl.Close()
		if !ok { // interrupted before the start: nothing was scheduled
			e.dropLoops()
			e.start = clock.Now()
			e.started.Store(&e.start)
			close(e.work)
			close(e.rec.finals)
			<-finalized
			return e.build(time.Now(), 0, 0, true)
		}
	}
	startedAt := time.Now()
	e.start = clock.Now()
	e.started.Store(&e.start)

	var interrupted bool
	var stop time.Duration
	if e.cfg.EventLoop {
		var err error
		interrupted, stop, err = e.runLoops(ctx)
		if err != nil {
			e.loopErr = fmt.Errorf("the event loop failed: %w", err)
		}
	} else {
		interrupted, stop = e.runWorkers(ctx)
	}
	elapsed := clock.Now().Sub(e.start)
	close(e.rec.finals)
	<-finalized
	end := e.cfg.Schedule.Duration()
	if interrupted || e.loopErr != nil {
		end = min(stop, end)
	}
	return e.build(startedAt, elapsed, end, interrupted)
}

// runWorkers runs the schedule with the dispatcher and the worker pool,
// then waits for the requests in flight (Config.Grace after an interrupt).
func (e *Engine) runWorkers(ctx context.Context) (interrupted bool, stop time.Duration) {
	clock := e.cfg.Clock
	interrupted = e.dispatch(ctx)
	stop = clock.Now().Sub(e.start)
	if interrupted {
		e.haltRetries(stop) // retryworkers.go
	}
	close(e.work)

	allDone := make(chan struct{})
	go func() { e.wg.Wait(); close(allDone) }()
	select {
	case <-allDone:
	case <-ctx.Done():
		interrupted = true
		t := clock.NewTimer(e.cfg.Grace)
		select {
		case <-allDone:
		case <-t.C:
			e.abandon() // in-flight requests end as "canceled"
			<-allDone
		}
		t.Stop()
	}
	return interrupted, stop
}

// dispatch walks the schedule; it returns true if ctx stopped it.
func (e *Engine) dispatch(ctx context.Context) (interrupted bool) {
	clock := e.cfg.Clock
	sleeper := clock.NewSleeper()
	defer sleeper.Close()
	p := e.parts[0]
	la := newLookahead(p.sched)
	for {
		a, ok := la.peek()
		if !ok {
			if e.afterSchedule(ctx, sleeper) { // retryworkers.go
				e.stopAt(clock.Now())
				return true
			}
			return false
		}
		if !e.sleepPassing(ctx, sleeper, p, a.At) || !e.sleepTo(ctx, sleeper, la.wake(e.cfg.TimerSlack)) {
			e.stopAt(clock.Now())
			return true
		}
		// Send every arrival due by now: those the slack grouped, and any a
		// late wake-up let fall due.
		for now := clock.Now().Sub(e.start); ok && a.At <= now; a, ok = la.peek() {
			la.pop()
			e.scheduled(p, a)
			if e.noRequest(a) || !e.offer(item{a: a}) {
				e.notSent(a)
				continue
			}
			p.gaps[a.Stage].add(clock.Now())
		}
	}
}

// stopAt marks the interrupt: nothing after it is scheduled, and in-flight
// areas are clipped to it.
func (e *Engine) stopAt(t time.Time) {
	e.rec.mu.Lock()
	e.rec.limit = min(e.rec.limit, t.Sub(e.start))
	e.rec.mu.Unlock()
}

// offer hands the arrival to an idle worker, or starts a worker if the
// bound allows; false means the bound is reached and the arrival is not sent.
//
// A worker that finished its request announces itself in idle before it
// parks; the send to such a worker may wait for it to reach the receive,
// but only for that (it is runnable already, it is not serving anything),
// so the dispatcher never waits for a request to complete. Without the
// announcement a busy single-P process spawns a new worker (and connection)
// whenever the free one has not parked yet.
func (e *Engine) offer(it item) bool {
	e.retireSpare()
	if e.idle.Load() > 0 {
		e.idle.Add(-1)
		e.work <- it
		return true
	}
	if e.workers >= e.cfg.MaxInFlight {
		return false
	}
	e.workers++
	e.parts[0].peak = max(e.parts[0].peak, e.workers)
	e.wg.Add(1)
	go e.worker(it)
	return true
}

// retireSpare lets one idle worker go (closing its connection) when far
// more are idle than are in flight: after a stall the pool would otherwise
// keep thousands of connections for the rest of the run. It retires at most
// one per arrival, so a pool shrinks smoothly and never below what the
// current load needs twice over.
func (e *Engine) retireSpare() {
	inFlight := e.sentN.Load() - e.doneN.Load()
	if idle := e.idle.Load(); idle > 2*inFlight+32 {
		e.idle.Add(-1)
		e.workers--
		e.work <- item{retire: true}
	}
}

// worker sends its first item, then whatever the dispatcher hands it.
func (e *Engine) worker(it item) {
	defer e.wg.Done()
	scratch := Scratch{sampled: e.sampledSet()}
	defer scratch.Close()
	e.serve(it, &scratch)
}

// serve sends it and then whatever the dispatcher hands the worker, until
// the work ends or the worker is retired.
func (e *Engine) serve(it item, scratch *Scratch) {
	for {
		e.send(it, scratch)
		e.idle.Add(1)
		var ok bool
		if it, ok = <-e.work; !ok || it.retire {
			return
		}
	}
}

func (e *Engine) send(it item, scratch *Scratch) {
	clock := e.cfg.Clock
	if e.mix != nil && !e.render(it.a, it.t.n, scratch) {
		e.notSent(it.a) // no request for it (noRequest missed none so far; a retry renders the seq its first attempt did)
		e.rq.kick()
		return
	}
	sendAt := clock.Now().Sub(e.start)
	it.t = e.began(it.a, it.t, sendAt) // retrywire.go: sent, for the first attempt
	resp := e.cfg.Doer.Do(e.reqCtx, scratch)
	e.workerEnded(&it, sendAt, clock.Now().Sub(e.start), &resp) // done, or a retry queued
	if resp.Header != nil && scratch.sampled != nil {
		// Recorded, so its status's sample is held: the workers' later
		// responses of this status keep nothing. Not before: another
		// worker's response, recorded first, would be the sample.
		scratch.sampled.add(resp.Status)
	}
}
