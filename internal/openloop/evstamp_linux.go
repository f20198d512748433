//go:build linux

package openloop

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Kernel receive timestamps. Each connection of the loop asks the kernel
// to stamp what it receives (SO_TIMESTAMPNS) and the loop reads with
// recvmsg, so a response is timed by when its last segment arrived, not by
// when the loop got round to reading it. The loop then need not wake for
// responses at all: it sleeps on a second epoll set (wfd) that holds its
// timer, its interrupt, and its connections for their closes and resets
// and, while they wait to write or to connect, their writability; on each
// wake it harvests every ready connection from the main set without
// blocking. At 2000 rps on one connection that halves the
// wake-ups (one per send instead of one per send and one per response),
// and a wake-up costs about as much CPU as the rest of a request
// (bench/README.md). When the schedule is over, after an interrupt, where
// the kernel refuses the option, with retries (see lazySetup), or when
// Config.WakePerResponse asks, it waits on the main set and times
// each response when it reads it.

// stampRecv is the loop's recvmsg: its message header, buffers and the
// last timestamp read (realtime ns, 0: none), kept in the loop so that a
// read allocates nothing.
type stampRecv struct {
	msg   unix.Msghdr
	iov   unix.Iovec
	oob   [64]byte
	stamp int64
}

// recv reads into p with recvmsg and keeps the receive timestamp of the
// data read, if the kernel gave one.
func (s *stampRecv) recv(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	s.iov.Base = &p[0]
	s.iov.SetLen(len(p))
	s.msg.Iov = &s.iov
	s.msg.Iovlen = 1
	s.msg.Control = &s.oob[0]
	s.msg.SetControllen(len(s.oob))
	r, _, errno := unix.Syscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&s.msg)), 0)
	if errno != 0 {
		return 0, errno
	}
	if ts, ok := parseStamp(s.oob[:s.msg.Controllen]); ok {
		s.stamp = ts
	}
	return int(r), nil
}

// parseStamp finds an SCM_TIMESTAMPNS control message in oob and returns
// its time (realtime ns).
func parseStamp(oob []byte) (int64, bool) {
	const hdr = int(unsafe.Sizeof(unix.Cmsghdr{}))
	for len(oob) >= hdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&oob[0]))
		n := int(h.Len)
		if n < hdr || n > len(oob) {
			return 0, false
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS && n >= hdr+int(unsafe.Sizeof(unix.Timespec{})) {
			ts := (*unix.Timespec)(unsafe.Pointer(&oob[hdr]))
			return ts.Nano(), true
		}
		step := (n + int(unsafe.Sizeof(uintptr(0))) - 1) &^ (int(unsafe.Sizeof(uintptr(0))) - 1)
		if step >= len(oob) {
			return 0, false
		}
		oob = oob[step:]
	}
	return 0, false
}

// lazySetup makes the wake set, unless timestamps are off. Called by setup.
func (l *evLoop) lazySetup() error {
	// A response harvested late but stamped early reaches the recorder
	// after later sends, its own loop's or another's: the recorder applies
	// in-flight changes in time order (inflight.go), so every loop may.
	// A test's replaced reads are plain reads: time responses as read.
	// With retries a response is handled when it arrives, so that its
	// retry is sent at its due time.
	if l.e.cfg.WakePerResponse || l.e.rt != nil || (l.hooks != nil && l.hooks.sys != nil && !l.hooks.sleepsOnly) {
		return nil
	}
	wfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil // no wake set: wake per response
	}
	for _, fd := range []int{l.tfd, l.efd} {
		if err := unix.EpollCtl(wfd, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)}); err != nil {
			unix.Close(wfd)
			return nil
		}
	}
	l.wfd, l.lazy = wfd, true
	return nil
}

// stampConn asks the kernel to stamp what fd receives; if it refuses, the
// loop stops sleeping past responses for the rest of the run.
func (l *evLoop) stampConn(fd int) {
	if l.lazy && unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) != nil {
		l.eager()
	}
}

// eager makes the loop wake for every response from now on (the schedule
// is over, an interrupt came, or the kernel refused timestamps).
func (l *evLoop) eager() { l.lazy = false }

// watch adds a new connection c to the wake set: the loop wakes when the
// peer closes it or resets it (EPOLLRDHUP; EPOLLERR and EPOLLHUP always
// count), which no receive timestamp records, so that the error is timed
// when it happens and not at the next send (against nginx's `return 444`
// at 200 rps the loop took the 5 ms to the next send to see each close,
// and its in-flight mean read 24 times the workers' and net/http's), and
// while c waits to connect or to write (watchOut). Data alone does not
// wake it: that is what the stamps are for. Closing c's fd takes it out.
func (l *evLoop) watch(c *loopConn) {
	if l.wfd >= 0 {
		unix.EpollCtl(l.wfd, unix.EPOLL_CTL_ADD, c.fd, &unix.EpollEvent{Events: l.wakeEvents(c.wantOut), Fd: int32(c.fd)})
	}
}

// watchOut makes the wake set wake for c's writability while it waits to
// connect or to write, and stop after.
func (l *evLoop) watchOut(c *loopConn, want bool) {
	if l.wfd >= 0 {
		unix.EpollCtl(l.wfd, unix.EPOLL_CTL_MOD, c.fd, &unix.EpollEvent{Events: l.wakeEvents(want), Fd: int32(c.fd)})
	}
}

func (l *evLoop) wakeEvents(out bool) uint32 {
	if out {
		return unix.EPOLLRDHUP | unix.EPOLLOUT
	}
	return unix.EPOLLRDHUP
}

// endTime is when c's response, just completed, arrived: the kernel's
// stamp of its last segment, as an offset from the start, where there is
// one; else now. It is clamped to [sent, now].
func (l *evLoop) endTime(c *loopConn, now time.Duration) time.Duration {
	if l.rs.stamp == 0 {
		return now
	}
	end := time.Duration(l.rs.stamp - l.wall0)
	return min(max(end, c.sent), now)
}

// clockPair notes the wall clock at the start (ns), from a reading of both
// clocks now, so that kernel stamps (wall clock) map to offsets.
func (l *evLoop) clockPair() {
	t := time.Now()
	l.wall0 = t.UnixNano() - int64(t.Sub(l.e.start))
}

// stampWait bounds how long the start waits for the kernel to stamp
// arrivals (awaitStamps).
const stampWait = 100 * time.Millisecond

// awaitStamps waits, at most limit, until the kernel stamps packets as
// they arrive (prepare_linux.go says why it may not yet): it sends itself a
// datagram on loopback, reads it a millisecond later and compares the
// stamp with the send. A stamp taken at the read, as the kernel does when
// the packet came unstamped, is a millisecond after the send; one taken at
// arrival, microseconds. It reports whether it saw arrivals stamped.
func awaitStamps(limit time.Duration) bool {
	const gap = time.Millisecond
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer unix.Close(fd)
	if unix.Bind(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}) != nil ||
		unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) != nil {
		return false
	}
	self, err := unix.Getsockname(fd)
	if err != nil {
		return false
	}
	var rs stampRecv
	var b [1]byte
	for deadline := time.Now().Add(limit); time.Now().Before(deadline); {
		sent := time.Now().UnixNano()
		if unix.Sendto(fd, b[:], 0, self) != nil {
			return false
		}
		time.Sleep(gap)
		rs.stamp = 0
		if _, err := rs.recv(fd, b[:]); err != nil && err != unix.EAGAIN {
			return false
		}
		if rs.stamp != 0 && rs.stamp-sent < int64(gap/2) {
			return true
		}
	}
	return false
}
