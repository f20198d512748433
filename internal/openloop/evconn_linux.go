//go:build linux

package openloop

import (
	"bytes"
	"fmt"
	"net"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Connection I/O of the event loop: dialing, writing the request, reading
// and parsing the response as bytes arrive, and ending a request (done,
// failed, or resent once on a fresh connection).

// loopConn is one connection of the loop.
type loopConn struct {
	fd       int
	dialing  bool // connect in progress
	reused   bool // a response was read on it before
	active   bool // a request is in flight on it
	retried  bool // its current request is a resend
	got      bool // a byte of the current request's response arrived: never resend
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

	out  []byte // the request of a request set, rendered (evmix_linux.go)
	idem bool   // its current request may be resent (an idempotent method)
	t    try    // the attempt of its request (retrywire.go)
}

// start puts a request on c (connected or connecting).
func (l *evLoop) start(c *loopConn, a schedule.Arrival, sent, deadline time.Duration) {
	c.active, c.got, c.a, c.sent, c.deadline = true, false, a, sent, deadline
	c.p.reset(l.prepare(c, a), true, c.prefix[:], l.sampledSet()) // evmix_linux.go: sets c.wbuf
	l.release(c)
	l.heapPush(c)
	if !c.dialing {
		l.write(c)
	}
}

// sampledSet is the statuses whose later responses keep nothing (the
// recorder holds their sample), or nil with retries on.
func (l *evLoop) sampledSet() *statusSet {
	if l.e.rt != nil {
		return nil
	}
	return &l.sampled
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
	if l.stamping {
		l.stampConn(fd) // evstamp_linux.go
	}
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
	l.watch(c) // evstamp_linux.go
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
	l.watchOut(c, want)
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
			// The server may have answered before it stopped reading (a
			// 413 to a large body): that answer, if it arrived, is the
			// outcome, not the failed write.
			l.read(c)
			if c.active {
				l.fail(c, &net.OpError{Op: "write", Net: "tcp", Err: err})
			}
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

// readBudget bounds what one wake reads from one connection, bytes: a fast
// large body must not starve the sends and the other connections; the
// rest is read on the next wake (epoll is level-triggered).
const readBudget = 256 << 10

// read drains c (up to readBudget) and feeds the response parser. A line
// cut by a read waits in c.rbuf, a buffer lent by the loop's pool for as
// long as the line is unfinished (evbuf.go).
func (l *evLoop) read(c *loopConn) {
	total := 0
	l.rs.stamp = 0
	for total < readBudget {
		var n int
		var err error
		if l.stamping {
			n, err = l.rs.recv(c.fd, l.buf[:min(len(l.buf), readBudget-total)])
		} else {
			n, err = l.sys.read(c.fd, l.buf[:min(len(l.buf), readBudget-total)])
		}
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
		total += n
		c.got = true
		if !l.parse(c, l.buf[:n]) {
			return
		}
	}
	l.again = true // the rest on the next wait, which polls
	if l.hooks != nil && l.hooks.readYield != nil {
		l.hooks.readYield(c.fd, total)
	}
}

// parse feeds data, just read, to c's parser and keeps a line it cuts in
// c.rbuf; false when c's request ended (its response is complete, or it
// failed). A pending line that data completes is parsed from the loop's
// one scratch buffer (l.line), and c's buffer goes back to the pool at
// once: only unfinished lines take from the pool, so a connection about to
// finish its line never needs a larger loan.
func (l *evLoop) parse(c *loopConn, data []byte) bool {
	if len(c.rbuf) > 0 {
		i := bytes.IndexByte(data, '\n')
		if i < 0 { // still unfinished
			if !l.hold(c, len(c.rbuf)+len(data)) {
				l.fail(c, errBuffersFull)
				return false
			}
			c.rbuf = append(c.rbuf, data...)
			rest, ok := l.feed(c, c.rbuf, false)
			if ok {
				c.rbuf = append(c.rbuf[:0], rest...) // the copy handles the overlap
			}
			return ok
		}
		l.line = append(append(l.line[:0], c.rbuf...), data[:i+1]...)
		l.release(c)
		data = data[i+1:]
		rest, ok := l.feed(c, l.line, len(data) > 0)
		if !ok {
			return false
		}
		if len(rest) > 0 { // not expected (the parser takes whole lines), but kept
			data = append(rest, data...)
		}
	}
	rest, ok := l.feed(c, data, false)
	if !ok || len(rest) == 0 {
		return ok
	}
	if !l.hold(c, len(rest)) {
		l.fail(c, errBuffersFull)
		return false
	}
	c.rbuf = append(c.rbuf, rest...)
	return true
}

// feed parses b and returns what it left (the start of a line); false when
// the response is complete (recorded) or the parse failed. more says bytes
// follow b in this read: after a complete response they are stray.
func (l *evLoop) feed(c *loopConn, b []byte, more bool) ([]byte, bool) {
	used, err := c.p.feed(b)
	if err != nil {
		l.fail(c, err)
		return nil, false
	}
	if c.p.done() {
		// Stray bytes after the response, or a request body the server
		// answered before reading all of it: the connection is unusable.
		l.complete(c, used < len(b) || more || len(c.wbuf) > 0)
		return nil, false
	}
	return b[used:], true
}

// hold makes c.rbuf able to hold n bytes, keeping its contents, with a
// buffer from the pool; false when the pool refused.
func (l *evLoop) hold(c *loopConn, n int) bool {
	if n <= cap(c.rbuf) {
		return true
	}
	old := c.rbuf
	l.pool.put(old) // before get: the old buffer does not count twice; its bytes stay valid
	nb, ok := l.pool.get(n)
	if !ok {
		c.rbuf = nil
		return false
	}
	c.rbuf = append(nb, old...)
	return true
}

// release gives c's line buffer back to the pool.
func (l *evLoop) release(c *loopConn) {
	l.pool.put(c.rbuf)
	c.rbuf = nil
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
	if resp.Header != nil {
		if l.e.rt == nil {
			// done samples the first response of each status: the next of
			// this one keep nothing (with retries on they do: a retry
			// reads Retry-After from them).
			l.sampled.add(r.status)
		}
		if l.hooks != nil && l.hooks.kept != nil {
			l.hooks.kept(r.status)
		}
	}
	l.heapRemove(c)
	c.active = false
	l.inFlight--
	// done, or a retry queued (retryloop_linux.go)
	l.endAttempt(c.a, &c.t, c.sent, l.endTime(c, now), &resp)
	l.e.release()                     // after done: the recorder never counts more than the bound
	c.reused, c.retried = true, false // the next request may be resent once too
	l.release(c)
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
	a, sent, deadline, t := c.a, c.sent, c.deadline, c.t
	if c.reused && !c.retried && !c.got && c.idem && isStale(err) {
		l.heapRemove(c)
		c.active = false
		l.closeConn(c)
		nc, derr := l.dial()
		if derr == nil {
			l.d.retries.Add(1)
			nc.retried, nc.t = true, t
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
	l.endAttempt(a, &t, sent, l.now(), new(failedResponse(err)))
	l.e.release()
}

func (l *evLoop) closeConn(c *loopConn) {
	if c.ii >= 0 {
		last := l.idle[len(l.idle)-1]
		l.idle[c.ii], last.ii = last, c.ii
		l.idle = l.idle[:len(l.idle)-1]
		c.ii = -1
	}
	l.release(c)
	unix.EpollCtl(l.epfd, unix.EPOLL_CTL_DEL, c.fd, nil)
	l.d.retrans.Add(fdRetransmits(c.fd)) // retrans_linux.go
	unix.Close(c.fd)
	delete(l.conns, c.fd)
}

func failedResponse(err error) Response {
	return Response{ErrClass: Classify(err), Err: err, ServerQueue: -1, ServerService: -1}
}
