//go:build linux

package main

import (
	"io"
	"net"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// stampListener turns on kernel receive timestamps (SO_TIMESTAMPNS) on
// every accepted connection and reads them with recvmsg, so that the
// handler can tell when a request reached this host's socket, apart from
// when this one-core server got round to running it. base is the
// monotonic origin the stamps are kept against (see stampConn.stamp).
type stampListener struct {
	net.Listener
	base time.Time
}

func (l stampListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	tc, ok := c.(*net.TCPConn)
	if !ok {
		return c, nil
	}
	raw, err := tc.SyscallConn()
	if err != nil {
		return c, nil
	}
	var serr error
	if err := raw.Control(func(fd uintptr) {
		serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1)
	}); err != nil || serr != nil {
		return c, nil // no stamps: the handler's time only
	}
	return &stampConn{TCPConn: tc, raw: raw, oob: make([]byte, 128), base: l.base}, nil
}

// stampConn is a connection read with recvmsg; last is the kernel stamp
// of the latest data read, ns after base on the monotonic clock (0: none
// yet).
type stampConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	oob  []byte
	base time.Time
	last atomic.Int64
}

func (c *stampConn) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	var n int
	var rerr error
	err := c.raw.Read(func(fd uintptr) bool {
		var oobn int
		n, oobn, _, _, rerr = unix.Recvmsg(int(fd), p, c.oob, 0)
		if rerr == unix.EAGAIN {
			return false
		}
		if rerr == nil && oobn > 0 {
			c.stamp(c.oob[:oobn])
		}
		return true
	})
	switch {
	case err != nil:
		return 0, err // a deadline, or closed
	case rerr != nil:
		return 0, &net.OpError{Op: "read", Net: "tcp", Err: rerr}
	case n == 0:
		return 0, io.EOF
	}
	return n, nil
}

func (c *stampConn) stamp(oob []byte) {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return
	}
	for _, m := range msgs {
		if m.Header.Level == unix.SOL_SOCKET && m.Header.Type == unix.SCM_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(unix.Timespec{})) {
			// The stamp is wall-clock time, which a clock adjustment may
			// step or slew against the monotonic clock the handler's
			// times are on; kept as its age when read (µs) before now on
			// the monotonic clock, it is immune to that. (Every 2000 rps
			// run of one bench once read ~50 ms of lag at the socket that
			// the handler's times did not have; not reproduced, the cause
			// not found: this and socketTime's taking of the stamp are
			// the two guards.)
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			now := time.Now()
			age := time.Duration(now.UnixNano() - ts.Nano())
			c.last.Store(max(int64(now.Sub(c.base)-age), 1))
		}
	}
}

// socketTime is when the latest data on c reached the socket, by the
// kernel's stamp; ok is false without one. It takes the stamp: a request
// whose reads brought none is not stamped with an older request's (one
// such stale stamp, tens of ms early, would shift every lag).
func socketTime(c net.Conn) (t time.Time, ok bool) {
	sc, isStamped := c.(*stampConn)
	if !isStamped {
		return time.Time{}, false
	}
	ns := sc.last.Swap(0)
	return sc.base.Add(time.Duration(ns)), ns != 0
}
