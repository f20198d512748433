//go:build linux

package openloop

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"time"

	"golang.org/x/sys/unix"

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
	lead     time.Duration // running average of how late a timed wait returns
}

// retirePace bounds how often the loop closes a spare idle connection, so
// that a burst's connections are let go over a while instead of being
// closed and redialled as the load wobbles.
const retirePace = 10 * time.Millisecond

// runLoop runs the whole schedule in event-loop mode and returns whether
// ctx interrupted it and when sending stopped.
func (e *Engine) runLoop(ctx context.Context, d *H1Doer) (interrupted bool, stop time.Duration, err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	// This thread alone runs the loop: timeouts to the ns, not rounded up
	// by the default 50 µs timer slack.
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	defer unix.Prctl(unix.PR_SET_TIMERSLACK, 0, 0, 0, 0)
	l := &evLoop{e: e, d: d, conns: map[int]*loopConn{}, armed: -1, pwait2: true, epfd: -1, tfd: -1, efd: -1,
		events: make([]unix.EpollEvent, 256), buf: make([]byte, 64<<10), sys: realSys(), hooks: e.hooks,
		pool: bufPool{limit: e.cfg.LoopBufferBytes}}
	if l.hooks != nil && l.hooks.sys != nil {
		l.sys = *l.hooks.sys
	}
	defer func() { e.peakWorkers, e.bufs = l.peak, l.pool.stats() }()
	defer l.teardown()
	if err := l.setup(); err != nil {
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

	next, more := e.cfg.Schedule.Next()
	stopping := false
	var graceEnd time.Duration
	for {
		now := l.now()
		if !stopping {
			for more && next.At <= now {
				l.dispatch(next, now)
				next, more = e.cfg.Schedule.Next()
			}
			if !more {
				stopping = true
				stop = now
			} else if e.cfg.OnWindow != nil {
				e.passTo(min(next.At, now)) // passing.go
			}
		}
		l.expire(now)
		if stopping && l.inFlight == 0 {
			break
		}
		if interrupted && now >= graceEnd {
			l.abandon()
			break
		}
		wake := time.Duration(1<<63 - 1)
		if !stopping {
			wake = next.At
			if e.cfg.OnWindow != nil {
				wake = min(wake, e.passMark)
			}
		}
		if len(l.heap) > 0 {
			wake = min(wake, l.heap[0].deadline)
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
					interrupted, stopping = true, true
					stop = l.now()
					e.stopAt(e.start.Add(stop))
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
	addr, err := net.ResolveTCPAddr("tcp", l.d.addr)
	if err != nil {
		return err
	}
	if ip4 := addr.IP.To4(); ip4 != nil {
		sa := &unix.SockaddrInet4{Port: addr.Port}
		copy(sa.Addr[:], ip4)
		l.sa, l.fam = sa, unix.AF_INET
	} else {
		sa := &unix.SockaddrInet6{Port: addr.Port}
		copy(sa.Addr[:], addr.IP.To16())
		l.sa, l.fam = sa, unix.AF_INET6
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
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return err
	}
	l.mono0 = ts.Nano() - int64(l.now())
	return nil
}

func (l *evLoop) teardown() {
	for _, c := range l.conns {
		unix.Close(c.fd)
	}
	for _, fd := range []int{l.tfd, l.efd, l.epfd} {
		if fd >= 0 { // −1: setup failed before creating it
			unix.Close(fd)
		}
	}
}

// wait waits for events until wake (from the start; MaxInt64: none):
// epoll_pwait2's nanosecond timeout where the kernel has it (5.11+), else
// epoll_wait woken by the timerfd.
func (l *evLoop) wait(now, wake time.Duration) (int, error) {
	// A timed wait returns late by a fairly steady amount (the wake-up):
	// aim early by its running average, and closer to the deadline than
	// that, poll without blocking, so sends centre on their intended time.
	if wake <= now || wake-now <= l.lead {
		return l.sys.epollWait(l.epfd, l.events, 0)
	}
	if l.pwait2 {
		var tsp *unix.Timespec
		timed := wake < time.Duration(1<<63-1)
		aim := wake - now - l.lead
		if timed {
			l.ts = unix.NsecToTimespec(int64(aim)) // in l: no allocation per wait
			tsp = &l.ts
		}
		r, err := l.sys.epollPwait2(l.epfd, l.events, tsp)
		if err != unix.ENOSYS {
			if err != nil {
				return 0, err
			}
			if timed && r == 0 { // it timed out: learn how late
				late := min(max(l.now()-now-aim, 0), maxLead)
				l.lead += (late - l.lead) / 16
			}
			return r, nil
		}
		l.pwait2 = false
	}
	if wake < time.Duration(1<<63-1) {
		if err := l.arm(wake); err != nil {
			return 0, err
		}
	}
	return l.sys.epollWait(l.epfd, l.events, -1)
}

// arm sets the timerfd to fire at wake (from the start), unless it already does.
func (l *evLoop) arm(wake time.Duration) error {
	if wake == l.armed {
		return nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(l.mono0 + int64(wake))}
	if err := unix.TimerfdSettime(l.tfd, unix.TFD_TIMER_ABSTIME, &spec, nil); err != nil {
		return fmt.Errorf("timerfd_settime: %w", err)
	}
	l.armed = wake
	return nil
}

// dispatch sends arrival a, due at or before now, or counts it not sent.
func (l *evLoop) dispatch(a schedule.Arrival, now time.Duration) {
	e := l.e
	e.scheduled(a)
	if l.inFlight >= e.cfg.MaxInFlight {
		e.notSent(a)
		return
	}
	e.gaps[a.Stage].add(e.start.Add(now))
	e.sent(a, now)
	l.inFlight++
	c := l.takeIdle()
	if c == nil {
		var err error
		if c, err = l.dial(); err != nil {
			e.done(a, now, now, new(failedResponse(err)))
			l.inFlight--
			return
		}
	}
	l.start(c, a, now, now+l.d.timeout)
}
