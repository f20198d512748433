package openloop

import (
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// earlyAnswerWait bounds how long a failed write waits for the reading
// side (see earlyAnswerConn).
const earlyAnswerWait = 100 * time.Millisecond

// earlyAnswerConn is the net/http client's connection. A server may
// answer before it has read the whole request body (a 413 to a large
// POST) and close: the rest of the body is then refused with a reset,
// while the answer already sits in the receive buffer. net/http's
// Transport races the write error against the response its read loop is
// parsing and, when the error wins, reports a reset and drops the
// answer; the h1 client and the event loop read the answer (issue #14,
// item 12). So a failed Write here returns its error only once a Read on
// the same connection has failed too (the answer, if any, has been read
// by then) or after earlyAnswerWait. A reset with no answer costs
// nothing: the blocked read fails at once.
type earlyAnswerConn struct {
	net.Conn
	once    sync.Once
	readErr chan struct{} // closed when a Read returned an error
	// retrans is where Close adds the connection's TCP retransmissions.
	retrans *atomic.Int64
	closed  sync.Once
}

func newEarlyAnswerConn(c net.Conn, retrans *atomic.Int64) *earlyAnswerConn {
	return &earlyAnswerConn{Conn: c, readErr: make(chan struct{}), retrans: retrans}
}

// Close closes the connection, its TCP retransmissions counted once.
func (c *earlyAnswerConn) Close() error {
	c.closed.Do(func() { c.retrans.Add(connRetransmits(c.Conn)) })
	return c.Conn.Close()
}

// Read reads from the connection; an error releases failed writes.
func (c *earlyAnswerConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		c.once.Do(func() { close(c.readErr) })
	}
	return n, err
}

// Write writes to the connection; an error waits for the reading side.
func (c *earlyAnswerConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		t := time.NewTimer(earlyAnswerWait)
		select {
		case <-c.readErr:
		case <-t.C:
		}
		t.Stop()
	}
	return n, err
}
