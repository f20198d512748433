//go:build !linux

package openloop

// unusable reports whether the idle connection c must not carry the next
// request; without a non-blocking peek, only bytes already buffered count.
func (c *h1Conn) unusable() bool { return c.br.Buffered() > 0 }
