//go:build !linux

package openloop

import "net"

// connRetransmits is 0 where the kernel's TCP statistics are not read
// (retrans_linux.go says what they are).
func connRetransmits(net.Conn) int64 { return 0 }
