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
// when this one-core server got round to running it.
type stampListener struct{ net.Listener }

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
	return &stampConn{TCPConn: tc, raw: raw, oob: make([]byte, 128)}, nil
}

// stampConn is a connection read with recvmsg; last is the kernel stamp
// of the latest data read, Unix ns (0: none yet).
type stampConn struct {
	*net.TCPConn
	raw  syscall.RawConn
	oob  []byte
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
			ts := (*unix.Timespec)(unsafe.Pointer(&m.Data[0]))
			c.last.Store(ts.Nano())
		}
	}
}

// socketTime is when the latest data on c reached the socket, by the
// kernel's stamp; ok is false without one.
func socketTime(c net.Conn) (t time.Time, ok bool) {
	sc, isStamped := c.(*stampConn)
	if !isStamped {
		return time.Time{}, false
	}
	ns := sc.last.Load()
	return time.Unix(0, ns), ns != 0
}
