//go:build !linux

package main

import (
	"net"
	"time"
)

// stampListener is the listener itself where the kernel does not stamp
// receives the Linux way: arrivals are timed by the handler only.
type stampListener struct {
	net.Listener
	base time.Time
}

// socketTime has no kernel stamp here.
func socketTime(net.Conn) (time.Time, bool) { return time.Time{}, false }
