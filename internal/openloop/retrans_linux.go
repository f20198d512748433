//go:build linux

package openloop

import (
	"net"
	"syscall"

	"golang.org/x/sys/unix"
)

// fdRetransmits is how many segments the kernel's TCP resent on the
// socket fd so far (TCP_INFO's tcpi_total_retrans): SYNs and data that
// went unacknowledged for a retransmission timeout, 1 s for a SYN at
// first. On loopback nothing is lost on the way, so each is one the
// target's kernel dropped: a SYN or handshake ACK refused by a full
// listen backlog. 0 when the kernel does not say.
func fdRetransmits(fd int) int64 {
	ti, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
	if err != nil {
		return 0
	}
	return int64(ti.Total_retrans)
}

// connRetransmits is fdRetransmits of c's socket; 0 when c has none.
func connRetransmits(c net.Conn) int64 {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	var n int64
	raw.Control(func(fd uintptr) { n = fdRetransmits(int(fd)) })
	return n
}
