//go:build linux

package openloop

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The event loop is the engine's second mode (Config.EventLoop, plain
// http:// with the H1 client's serialised request): one goroutine, locked
// to its thread, owns every connection as a non-blocking socket in an epoll
// set, and does the dispatching, connecting, writing, incremental response
// parsing, timeouts and interrupts itself. It keeps every contract of the
// worker mode (latency from the intended send, not_sent at the bound,
// conservation, exact in-flight areas: it calls the same recorder), and
// needs no goroutine switch or netpoller wake-up per request, which is most
// of what a request costs a Go program (bench/README.md).

// EventLoopSupported reports whether this platform has the event loop.
const EventLoopSupported = true

// loopConn is one connection of the loop.
type loopConn struct {
	fd       int
	dialing  bool // connect in progress
	reused   bool // a response was read on it before
	active   bool // a request is in flight on it
	retried  bool // its request was already resent once
	wantOut  bool // EPOLLOUT is registered
	wbuf     []byte
	rbuf     []byte
	p        h1Stream
	prefix   [SampleBodyBytes]byte
	a        schedule.Arrival
	sent     time.Duration
	deadline time.Duration
	hi       int // index in the deadline heap, −1 when not there
	ii       int // index in the idle stack, −1 when not there
}

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
	events   []unix.EpollEvent
	buf      []byte
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
	l := &evLoop{e: e, d: d, conns: map[int]*loopConn{}, armed: -1, pwait2: true,
		events: make([]unix.EpollEvent, 256), buf: make([]byte, 64<<10)}
	if err := l.setup(); err != nil {
		return false, 0, err
	}
	defer l.teardown()
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
		}
		if len(l.heap) > 0 {
			wake = min(wake, l.heap[0].deadline)
		}
		if interrupted {
			wake = min(wake, graceEnd)
		}
		n, werr := l.wait(now, wake)
		if werr != nil && werr != unix.EINTR {
			return interrupted, stop, fmt.Errorf("epoll_wait: %w", werr)
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
	e.peakWorkers = l.peak
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
	unix.Close(l.tfd)
	unix.Close(l.efd)
	unix.Close(l.epfd)
}

// wait waits for events until wake (from the start; MaxInt64: none):
// epoll_pwait2's nanosecond timeout where the kernel has it (5.11+), else
// epoll_wait woken by the timerfd.
func (l *evLoop) wait(now, wake time.Duration) (int, error) {
	// A timed wait returns late by a fairly steady amount (the wake-up):
	// aim early by its running average, and closer to the deadline than
	// that, poll without blocking, so sends centre on their intended time.
	if wake <= now || wake-now <= l.lead {
		return unix.EpollWait(l.epfd, l.events, 0)
	}
	if l.pwait2 {
		var tsp unsafe.Pointer
		var ts unix.Timespec
		timed := wake < time.Duration(1<<63-1)
		aim := wake - now - l.lead
		if timed {
			ts = unix.NsecToTimespec(int64(aim))
			tsp = unsafe.Pointer(&ts)
		}
		r, _, errno := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(l.epfd), uintptr(unsafe.Pointer(&l.events[0])),
			uintptr(len(l.events)), uintptr(tsp), 0, 0)
		if errno != unix.ENOSYS {
			if errno != 0 {
				return 0, errno
			}
			if timed && r == 0 { // it timed out: learn how late
				late := min(max(l.now()-now-aim, 0), maxLead)
				l.lead += (late - l.lead) / 16
			}
			return int(r), nil
		}
		l.pwait2 = false
	}
	if wake < time.Duration(1<<63-1) {
		if err := l.arm(wake); err != nil {
			return 0, err
		}
	}
	return unix.EpollWait(l.epfd, l.events, -1)
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
	e.rec.scheduled(a)
	e.scheduledN.Add(1)
	if l.inFlight >= e.cfg.MaxInFlight {
		e.rec.notSent(a)
		e.notSentN.Add(1)
		if e.cfg.OnDone != nil {
			e.cfg.OnDone(a, -1, -1, nil)
		}
		return
	}
	e.gaps[a.Stage].add(e.start.Add(now))
	e.rec.sent(a, now)
	e.sentN.Add(1)
	l.inFlight++
	c := l.takeIdle()
	if c == nil {
		var err error
		if c, err = l.dial(); err != nil {
			l.record(a, now, now, failedResponse(err))
			l.inFlight--
			return
		}
	}
	l.start(c, a, now, now+l.d.timeout)
}

// start puts a request on c (connected or connecting).
func (l *evLoop) start(c *loopConn, a schedule.Arrival, sent, deadline time.Duration) {
	c.active, c.a, c.sent, c.deadline = true, a, sent, deadline
	c.p.reset(l.d.head, true, c.prefix[:])
	c.rbuf = c.rbuf[:0]
	c.wbuf = l.d.req
	l.heapPush(c)
	if !c.dialing {
		l.write(c)
	}
}

func (l *evLoop) takeIdle() *loopConn {
	n := len(l.idle)
	if n == 0 {
		return nil
	}
	c := l.idle[n-1]
	l.idle = l.idle[:n-1]
	c.ii = -1
	return c
}

func (l *evLoop) dial() (*loopConn, error) {
	fd, err := unix.Socket(l.fam, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	c := &loopConn{fd: fd, hi: -1, ii: -1}
	events := uint32(unix.EPOLLIN | unix.EPOLLRDHUP)
	switch err := unix.Connect(fd, l.sa); err {
	case nil:
	case unix.EINPROGRESS:
		c.dialing, c.wantOut = true, true
		events |= unix.EPOLLOUT
	default:
		unix.Close(fd)
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: err}
	}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: events, Fd: int32(fd)}); err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("epoll_ctl: %w", err)
	}
	l.conns[fd] = c
	l.peak = max(l.peak, len(l.conns))
	l.d.dials.Add(1)
	return c, nil
}

// setOut registers or removes interest in writability.
func (l *evLoop) setOut(c *loopConn, want bool) {
	if c.wantOut == want {
		return
	}
	events := uint32(unix.EPOLLIN | unix.EPOLLRDHUP)
	if want {
		events |= unix.EPOLLOUT
	}
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_MOD, c.fd, &unix.EpollEvent{Events: events, Fd: int32(c.fd)})
	c.wantOut = want
}

func (l *evLoop) write(c *loopConn) {
	for len(c.wbuf) > 0 {
		n, err := unix.Write(c.fd, c.wbuf)
		switch {
		case err == unix.EAGAIN:
			l.setOut(c, true)
			return
		case err == unix.EINTR:
			continue
		case err != nil:
			l.fail(c, &net.OpError{Op: "write", Net: "tcp", Err: err})
			return
		}
		c.wbuf = c.wbuf[n:]
	}
	l.setOut(c, false)
}

// handle reacts to epoll events on c.
func (l *evLoop) handle(c *loopConn, ev uint32) {
	if c.dialing {
		if ev&(unix.EPOLLOUT|unix.EPOLLERR|unix.EPOLLHUP) == 0 {
			return
		}
		errno, err := unix.GetsockoptInt(c.fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if err == nil && errno != 0 {
			err = unix.Errno(errno)
		}
		if err != nil {
			l.fail(c, &net.OpError{Op: "dial", Net: "tcp", Err: err})
			return
		}
		c.dialing = false
		if c.active {
			l.write(c)
		}
		return
	}
	if ev&unix.EPOLLOUT != 0 && len(c.wbuf) > 0 {
		l.write(c)
	}
	if ev&(unix.EPOLLIN|unix.EPOLLHUP|unix.EPOLLERR|unix.EPOLLRDHUP) != 0 {
		l.read(c)
	}
}

// read drains c and feeds the response parser.
func (l *evLoop) read(c *loopConn) {
	for {
		n, err := unix.Read(c.fd, l.buf)
		switch {
		case err == unix.EAGAIN:
			return
		case err == unix.EINTR:
			continue
		case err != nil:
			l.fail(c, &net.OpError{Op: "read", Net: "tcp", Err: err})
			return
		case n == 0: // the peer closed
			if !c.active {
				l.closeConn(c)
				return
			}
			if perr := c.p.eof(); perr != nil {
				l.fail(c, perr)
			} else {
				l.complete(c, true)
			}
			return
		}
		if !c.active { // bytes nobody asked for: the connection is unusable
			l.closeConn(c)
			return
		}
		data := l.buf[:n]
		if len(c.rbuf) > 0 {
			c.rbuf = append(c.rbuf, data...)
			data = c.rbuf
		}
		used, perr := c.p.feed(data)
		if perr != nil {
			l.fail(c, perr)
			return
		}
		if c.p.done() {
			l.complete(c, used < len(data)) // stray bytes after a response: close
			return
		}
		c.rbuf = append(c.rbuf[:0], data[used:]...)
	}
}

// complete records c's response; the connection is closed if the response
// or closeAfter says so, else it becomes idle.
func (l *evLoop) complete(c *loopConn, closeAfter bool) {
	now := l.now()
	r := c.p.resp
	resp := Response{Status: r.status, ServerQueue: -1, ServerService: -1}
	if len(r.serverTime) > 0 {
		resp.ServerQueue, resp.ServerService = ParseServerTiming(string(r.serverTime))
	}
	if r.status < 200 || r.status > 299 {
		resp.Header, resp.Body = r.header, c.prefix[:c.p.kept]
	}
	l.heapRemove(c)
	c.active = false
	l.inFlight--
	l.record(c.a, c.sent, now, resp)
	c.reused = true
	if r.close || closeAfter {
		l.closeConn(c)
		return
	}
	c.ii = len(l.idle)
	l.idle = append(l.idle, c)
	// After a stall the loop may hold far more idle connections than the
	// load needs: let one go per completion (as the worker pool does).
	if len(l.idle) > 2*l.inFlight+32 && now-l.retired >= retirePace {
		l.retired = now
		l.closeConn(l.idle[0])
	}
}

// fail ends c's request with err, resending it once on a fresh connection
// when a reused keep-alive connection broke before any response byte.
func (l *evLoop) fail(c *loopConn, err error) {
	if !c.active {
		l.closeConn(c)
		return
	}
	a, sent, deadline := c.a, c.sent, c.deadline
	if c.reused && !c.retried && c.p.resp.n == 0 && l.d.retry && isStale(err) {
		l.heapRemove(c)
		c.active = false
		l.closeConn(c)
		nc, derr := l.dial()
		if derr == nil {
			l.d.retries.Add(1)
			nc.retried = true
			l.start(nc, a, sent, deadline)
			return
		}
		err = derr
	} else {
		l.heapRemove(c)
		c.active = false
		l.closeConn(c)
	}
	l.inFlight--
	l.record(a, sent, l.now(), failedResponse(err))
}

// expire fails the requests whose deadline has passed.
func (l *evLoop) expire(now time.Duration) {
	for len(l.heap) > 0 && l.heap[0].deadline <= now {
		c := l.heap[0]
		c.retried = true // a timeout is never resent
		l.fail(c, context.DeadlineExceeded)
	}
}

// abandon ends every request still in flight as canceled (after an
// interrupt's grace period).
func (l *evLoop) abandon() {
	for len(l.heap) > 0 {
		c := l.heap[0]
		c.retried = true
		l.fail(c, context.Canceled)
	}
}

func (l *evLoop) closeConn(c *loopConn) {
	if c.ii >= 0 {
		last := l.idle[len(l.idle)-1]
		l.idle[c.ii], last.ii = last, c.ii
		l.idle = l.idle[:len(l.idle)-1]
		c.ii = -1
	}
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	unix.Close(c.fd)
	delete(l.conns, c.fd)
}

// record hands a finished request to the recorder.
func (l *evLoop) record(a schedule.Arrival, sent, end time.Duration, resp Response) {
	e := l.e
	e.rec.done(a, sent, end, &resp)
	if e.cfg.OnDone != nil {
		e.cfg.OnDone(a, sent, end, &resp)
	}
	e.doneN.Add(1)
}

func failedResponse(err error) Response {
	return Response{ErrClass: Classify(err), Err: err, ServerQueue: -1, ServerService: -1}
}

// The deadline heap: a binary min-heap of the connections in flight.

func (l *evLoop) heapPush(c *loopConn) {
	c.hi = len(l.heap)
	l.heap = append(l.heap, c)
	l.heapUp(c.hi)
}

func (l *evLoop) heapRemove(c *loopConn) {
	i := c.hi
	if i < 0 {
		return
	}
	last := len(l.heap) - 1
	l.heapSwap(i, last)
	l.heap = l.heap[:last]
	c.hi = -1
	if i < last {
		l.heapDown(i)
		l.heapUp(i)
	}
}

func (l *evLoop) heapSwap(i, j int) {
	l.heap[i], l.heap[j] = l.heap[j], l.heap[i]
	l.heap[i].hi, l.heap[j].hi = i, j
}

func (l *evLoop) heapUp(i int) {
	for i > 0 {
		p := (i - 1) / 2
		if l.heap[p].deadline <= l.heap[i].deadline {
			return
		}
		l.heapSwap(i, p)
		i = p
	}
}

func (l *evLoop) heapDown(i int) {
	for {
		m, a, b := i, 2*i+1, 2*i+2
		if a < len(l.heap) && l.heap[a].deadline < l.heap[m].deadline {
			m = a
		}
		if b < len(l.heap) && l.heap[b].deadline < l.heap[m].deadline {
			m = b
		}
		if m == i {
			return
		}
		l.heapSwap(i, m)
		i = m
	}
}
