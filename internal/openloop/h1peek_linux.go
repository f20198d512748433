//go:build linux

package openloop

import (
	"syscall"

	"golang.org/x/sys/unix"
)

// unusable reports whether the idle connection c must not carry the next
// request: bytes arrived that no request asked for (they would be taken
// for its response), or the server closed or reset it. One non-blocking
// peek, no data consumed.
func (c *h1Conn) unusable() bool {
	if c.br.Buffered() > 0 {
		return true
	}
	sc, ok := c.c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	bad := false
	var b [1]byte
	raw.Read(func(fd uintptr) bool {
		n, _, err := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		bad = n > 0 || (err == nil && n == 0) || (err != nil && err != unix.EAGAIN && err != unix.EINTR)
		return true
	})
	return bad
}
