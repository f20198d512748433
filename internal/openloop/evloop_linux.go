//go:build linux

package openloop

import (
	"context"
	"fmt"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/runqueue"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The event loop is the engine's second mode (Config.EventLoop, plain
// http:// with the H1 client's serialised request): one goroutine, locked
// to its thread, owns every connection as a non-blocking socket in an epoll
// set, and does the dispatching, connecting, writing, incremental response
// parsing, timeouts and interrupts itself. It keeps every contract of the
// worker mode (latency from the intended send, not_sent at the bound,
// conservation, exact in-flight areas: it takes the same recording path,
// recordpath.go), and needs no goroutine switch or netpoller wake-up per
// request, which is most of what a request costs a Go program
// (bench/README.md). Connection I/O is in evconn_linux.go, deadlines in
// evdeadline_linux.go.

// EventLoopSupported reports whether this platform has the event loop.
const EventLoopSupported = true

type evLoop struct {
	e     *Engine
	p     *part // its share of the run
	d     *H1Doer
	sa    unix.Sockaddr
	fam   int
	epfd  int
	tfd   int
	efd   int
	mono0 int64 // CLOCK_MONOTONIC (ns) at the engine's start

	conns    map[int]*loopConn
	idle     []*loopConn
	heap     []*loopConn // by deadline
	inFlight int
	armed    time.Duration // the timerfd's expiry, −1 when disarmed
	pwait2   bool          // epoll_pwait2 (ns timeouts) works; else the timerfd wakes the loop
	ts       unix.Timespec // epoll_pwait2's timeout
	events   []unix.EpollEvent
	buf      []byte
	line     []byte     // a line completed across reads, parsed here (at most H1MaxHeaderBytes and one read)
	sys      loopSys    // the system calls (evsys_linux.go)
	hooks    *loopHooks // a test's seam, or nil
	pool     bufPool    // partial response lines held across reads (evbuf.go)
	peak     int
	retired  time.Duration // when an idle connection was last let go

	// Kernel receive timestamps (evstamp_linux.go).
	wfd      int       // the wake set (−1: none): timer, interrupt, closes and resets, connections waiting to write
	lazy     bool      // sleep on wfd, not on every response
	stamping bool      // connections are stamped and read with recvmsg
	rs       stampRecv // recvmsg's buffers and the last stamp
	wall0    int64     // the wall clock at the start, ns (maps stamps to offsets)
	again    bool      // a read stopped at readBudget: poll on the next wait
	wev      [4]unix.EpollEvent

	retries retryHeap // the retries of its arrivals, by due time (retryloop_linux.go)
	sampled statusSet // statuses whose sample the recorder holds (complete)

	la       *lookahead  // its part's arrivals
	lat      wakeLatency // its timed wake-ups' lateness: the slack under SlackAuto (wakelat.go)
	long     longSleep   // how late its long sleeps' first parts end (longsleep.go)
	setupErr error       // setup failed before the start: the loop reports it and ends
}

// retirePace bounds how often the loop closes a spare idle connection, so
// that a burst's connections are let go over a while instead of being
// closed and redialled as the load wobbles.
const retirePace = 10 * time.Millisecond

// runLoop runs part p's schedule in event-loop mode, on the loop prepared
// for it before the start (prepare_linux.go), and returns whether ctx
// interrupted it and when sending stopped.
func (e *Engine) runLoop(ctx context.Context, p *part) (interrupted bool, stop time.Duration, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// This thread alone runs the loop: timeouts to the ns, not rounded up
	// by the default 50 µs timer slack, which SlackAuto spends on grouping
	// arrivals instead (wakelat.go).
	l := p.loop
	if ks, err := unix.PrctlRetInt(unix.PR_GET_TIMERSLACK, 0, 0, 0, 0); err == nil {
		l.lat.floor = time.Duration(ks)
	}
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	defer unix.Prctl(unix.PR_SET_TIMERSLACK, 0, 0, 0, 0)
	// and a short time slice, so that its wake-ups need not wait for
	// another thread's slice to end (slice_linux.go).
	defer shortSlice()()
	defer func() { p.peak, p.bufs, p.slack = l.peak, l.pool.stats(), l.lat.slack(e.cfg.TimerSlack) }()
	p.runWait = -1
	if w0, ok := runqueue.Thread(); ok { // wakewarn.go
		defer func() {
			if w1, ok := runqueue.Thread(); ok {
				p.runWait = w1 - w0
			}
		}()
	}
	defer l.teardown()
	reported := false // to stopped (parts.go)
	defer func() {
		if !reported && len(e.parts) > 1 {
			e.stopped(stop, err != nil)
		}
	}()
	if l.setupErr != nil {
		return false, 0, l.setupErr
	}
	if err := l.begin(); err != nil {
		return false, 0, err
	}
	loopDone := make(chan struct{})
	defer close(loopDone)
	go func() {
		select {
		case <-ctx.Done():
			var one [8]byte
			one[0] = 1
			unix.Write(l.efd, one[:])
		case <-loopDone:
		}
	}()

	la := l.la
	stopping := false
	var graceEnd time.Duration
	for {
		now := l.now()
		if !stopping {
			next, more := la.peek()
			for more && next.At <= now {
				l.dispatch(next, now)
				la.pop()
				next, more = la.peek()
			}
			if !more {
				stopping = true
				stop = now
				l.eager() // nothing more to send: wake for the responses
				e.finished(p)
			} else if e.cfg.OnWindow != nil {
				e.passTo(p, min(next.At, now)) // passing.go
			}
		}
		l.expire(now)
		if !interrupted {
			l.sendRetries(now) // retryloop_linux.go
		}
		if stopping && l.inFlight == 0 && len(l.retries) == 0 {
			break
		}
		if interrupted && now >= graceEnd {
			l.abandon()
			break
		}
		wake := time.Duration(1<<63 - 1)
		if !stopping {
			wake = la.wake(l.lat.slack(e.cfg.TimerSlack)) // lookahead.go, wakelat.go
			if e.cfg.OnWindow != nil {
				wake = min(wake, p.passMark)
			}
		}
		if len(l.heap) > 0 {
			wake = min(wake, l.heap[0].deadline)
		}
		if !interrupted {
			wake = l.retryWake(wake)
		}
		if interrupted {
			wake = min(wake, graceEnd)
		}
		n, werr := l.wait(now, wake)
		if werr != nil && werr != unix.EINTR {
			err := fmt.Errorf("epoll_wait: %w", werr)
			if !stopping {
				stop = l.now()
			}
			l.haltRetries(l.now())
			l.failAll(err)
			return interrupted, stop, err
		}
		for i := 0; i < n; i++ {
			ev := l.events[i]
			switch fd := int(ev.Fd); fd {
			case l.tfd:
				var b [8]byte
				unix.Read(l.tfd, b[:])
				l.armed = -1
			case l.efd:
				var b [8]byte
				unix.Read(l.efd, b[:])
				if !interrupted {
					l.eager()
					interrupted, stopping = true, true
					stop = l.now()
					l.haltRetries(stop)
					e.stopped(stop, true) // parts.go
					reported = true
					graceEnd = stop + e.cfg.Grace
				}
			default:
				if c := l.conns[fd]; c != nil {
					l.handle(c, ev.Events)
				}
			}
		}
	}
	return interrupted, stop, nil
}

func (l *evLoop) now() time.Duration { return time.Since(l.e.start) }

func (l *evLoop) setup() error {
	var err error
	if l.sa, l.fam, err = sockaddr(l.d.addr); err != nil {
		return err
	}
	if l.epfd, err = unix.EpollCreate1(unix.EPOLL_CLOEXEC); err != nil {
		return fmt.Errorf("epoll_create: %w", err)
	}
	if l.tfd, err = unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC); err != nil {
		return fmt.Errorf("timerfd_create: %w", err)
	}
	if l.efd, err = unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC); err != nil {
		return fmt.Errorf("eventfd: %w", err)
	}
	for _, fd := range []int{l.tfd, l.efd} {
		if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			return fmt.Errorf("epoll_ctl: %w", err)
		}
	}
	if err := l.lazySetup(); err != nil {
		return err
	}
	l.stamping = l.lazy
	return nil
}

// begin ties the loop's clocks to the run's start: the monotonic clock
// the timerfd reads and the wall clock of the kernel's stamps.
func (l *evLoop) begin() error {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return err
	}
	l.mono0 = ts.Nano() - int64(l.now())
	l.clockPair()
	return nil
}

func (l *evLoop) teardown() {
	for _, c := range l.conns {
		l.d.retrans.Add(fdRetransmits(c.fd)) // retrans_linux.go
		unix.Close(c.fd)
	}
	for _, fd := range []int{l.tfd, l.efd, l.epfd, l.wfd} {
		if fd >= 0 { // −1: setup failed before creating it
			unix.Close(fd)
		}
	}
}

// dispatch sends arrival a, due at or before now, or counts it not sent.
func (l *evLoop) dispatch(a schedule.Arrival, now time.Duration) {
	e := l.e
	e.scheduled(l.p, a)
	if l.hooks != nil && l.hooks.acquiring != nil {
		l.hooks.acquiring(e)
	}
	if e.noRequest(a) || !e.acquire() { // MaxInFlight, for all the loops together
		e.notSent(a)
		return
	}
	if len(e.parts) > 1 {
		// With several loops the send is timed after the slot is taken:
		// another loop's request that gave the slot back ended (was
		// stamped) before that, so the recorded in-flight count, swept
		// from the stamps, stays within the bound
		// (TestLoopsInFlightWithinBound); now, read before, may precede
		// that end. One loop gives slots back only between its own
		// readings, and the arrivals of one wake keep its one time.
		now = l.now()
	}
	l.p.gaps[a.Stage].add(e.start.Add(now))
	t := e.began(a, try{}, now) // retrywire.go: sent
	l.inFlight++
	c := l.takeIdle()
	if c == nil {
		var err error
		if c, err = l.dial(); err != nil {
			l.endAttempt(a, &t, now, now, new(failedResponse(err)))
			l.inFlight--
			e.release() // after done, as in complete
			return
		}
	}
	c.t = t
	l.start(c, a, now, now+l.d.timeout)
}
