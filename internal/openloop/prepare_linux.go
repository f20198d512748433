//go:build linux

package openloop

import (
	"net"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// The event loops are made before the start (prepareLoops): their
// descriptors, their first connection and the kernel's receive stamps, so
// that the first arrival is sent at its time and timed as every later one.
//
// Connections opened before the start. A run's first request would
// otherwise pay for the TCP handshake and the server's accept on a
// connection nobody has used yet: measured against nginx on loopback,
// 3 to 50 ms for the first request where later ones took 0.3 ms, which
// is lateness at the target that the plan did not ask for (a replay's
// first request, the first window's p99). So before the start each event
// loop gets one connected socket, and the worker pool of the HTTP/1.1
// client one worker holding one (prepare.go); the first request finds it
// idle as every later one finds a kept-alive connection. A socket not
// connected within preDialWait is closed and forgotten: that request dials
// as it would have. net/http (HTTPS, HTTP/2, proxies) opens its own.
//
// Stamps switched on before the start. The kernel stamps received packets
// only while some socket asks for stamps, and the first to ask switches
// that on later, from a work queue: a response arriving in between has no
// stamp, and the loop, which sleeps past responses, timed it when it next
// woke (the first response of a 100 rps run came out 10 ms late in one run
// of six). So the loops ask on their first connections before the start
// and wait until the kernel stamps (awaitStamps).

// prepareLoops makes every part's loop before the start: its descriptors
// (a failure is kept and reported when the loop runs), one connection
// opened for it (adopted as idle) and, where the loop times responses by
// the kernel's stamps, the stamps switched on.
func (e *Engine) prepareLoops(d *H1Doer) {
	limit := e.cfg.LoopBufferBytes
	if limit <= 0 {
		limit = DefaultLoopBufferBytes
	}
	fds := preDial(d, len(e.parts))
	stamping := false
	for i, p := range e.parts {
		// The line buffers' bound is shared out: each loop holds its share.
		l := e.newLoop(d, p, max(limit/len(e.parts), 1))
		p.loop = l
		if l.setupErr = l.setup(); l.setupErr != nil {
			if i < len(fds) {
				unix.Close(fds[i])
			}
			continue
		}
		if i < len(fds) {
			l.adopt(fds[i])
		}
		stamping = stamping || l.stamping
	}
	if stamping {
		awaitStamps(stampWait)
	}
}

// newLoop makes part p's loop, without its descriptors (setup).
func (e *Engine) newLoop(d *H1Doer, p *part, bufLimit int) *evLoop {
	l := &evLoop{e: e, p: p, d: d, conns: map[int]*loopConn{}, armed: -1, pwait2: true, epfd: -1, tfd: -1, efd: -1, wfd: -1,
		events: make([]unix.EpollEvent, 256), buf: make([]byte, 64<<10), sys: realSys(runtime.GOMAXPROCS(0) > len(e.parts)), hooks: e.hooks,
		pool: bufPool{limit: bufLimit}, la: newLookahead(p.sched)}
	if l.hooks != nil && l.hooks.sys != nil {
		l.sys = *l.hooks.sys
	}
	return l
}

// dropLoops closes the loops made for a start that never came (an
// interrupt while waiting for Config.StartAt).
func (e *Engine) dropLoops() {
	for _, p := range e.parts {
		if p.loop != nil {
			p.loop.teardown()
			p.loop = nil
		}
	}
}

// preDial opens n connections to d's address, waiting up to
// min(the client's timeout, preDialWait) for all of them together, and
// returns those that connected.
func preDial(d *H1Doer, n int) []int {
	sa, fam, err := sockaddr(d.addr)
	if err != nil {
		return nil // the loops' setup reports it
	}
	fds := make([]int, 0, n)
	for range n {
		fd, err := unix.Socket(fam, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			break
		}
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		if err := unix.Connect(fd, sa); err != nil && err != unix.EINPROGRESS {
			unix.Close(fd)
			break
		}
		fds = append(fds, fd)
	}
	return awaitConnected(fds, time.Now().Add(d.preDialWait()))
}

// awaitConnected waits until every socket in fds has connected or failed,
// or until the deadline, and returns those that connected; it closes the
// others.
func awaitConnected(fds []int, deadline time.Time) []int {
	pfds := make([]unix.PollFd, len(fds))
	for i, fd := range fds {
		pfds[i] = unix.PollFd{Fd: int32(fd), Events: unix.POLLOUT}
	}
	pending := len(fds)
	for pending > 0 {
		ms := int(time.Until(deadline).Milliseconds())
		if ms <= 0 {
			break
		}
		n, err := unix.Poll(pfds, ms)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			break
		}
		pending = 0
		for i := range pfds {
			if pfds[i].Fd >= 0 && pfds[i].Revents == 0 {
				pending++
			}
		}
	}
	var ok []int
	for i, fd := range fds {
		errno, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ERROR)
		if pfds[i].Revents&unix.POLLOUT != 0 && pfds[i].Revents&(unix.POLLERR|unix.POLLHUP) == 0 && err == nil && errno == 0 {
			ok = append(ok, fd)
			continue
		}
		unix.Close(fd)
	}
	return ok
}

// adopt makes fd, connected before the start, one of the loop's idle
// connections. It counts as a kept-alive one (reused): if the server
// closed it while the run waited to start, an idempotent request on it is
// resent once on a fresh one, as after any idle close.
func (l *evLoop) adopt(fd int) {
	if l.stamping {
		l.stampConn(fd) // evstamp_linux.go
	}
	if err := unix.EpollCtl(l.epfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLRDHUP, Fd: int32(fd)}); err != nil {
		unix.Close(fd)
		return
	}
	c := &loopConn{fd: fd, hi: -1, reused: true}
	l.conns[fd] = c
	l.watch(c) // evstamp_linux.go
	c.ii = len(l.idle)
	l.idle = append(l.idle, c)
	l.peak = max(l.peak, len(l.conns))
	l.d.dials.Add(1)
}

// sockaddr resolves a host:port for the loops' raw sockets.
func sockaddr(hostport string) (unix.Sockaddr, int, error) {
	addr, err := net.ResolveTCPAddr("tcp", hostport)
	if err != nil {
		return nil, 0, err
	}
	if ip4 := addr.IP.To4(); ip4 != nil {
		sa := &unix.SockaddrInet4{Port: addr.Port}
		copy(sa.Addr[:], ip4)
		return sa, unix.AF_INET, nil
	}
	sa := &unix.SockaddrInet6{Port: addr.Port}
	copy(sa.Addr[:], addr.IP.To16())
	return sa, unix.AF_INET6, nil
}
