//go:build linux

package openloop

import (
	"net/http"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// prepare sets c's request for arrival a: the Doer's serialised request,
// or the request set's for a.Seq rendered into c's own buffer (no
// allocation once it has grown; a resend on a fresh connection renders the
// same bytes, every placeholder being a function of the seq). It returns
// whether the request is a HEAD (its response has no body).
func (l *evLoop) prepare(c *loopConn, a schedule.Arrival) (head bool) {
	m := l.e.mix
	if m == nil {
		c.wbuf, c.idem = l.d.req, l.d.retry
		return l.d.head
	}
	seq := uint64(a.Seq)
	i := m.set.Choose(seq)
	// c.t.n: the attempt, 0 the first (retrywire.go).
	c.out, _ = m.set.AppendHTTP1Attempt(i, seq, c.t.n, c.out[:0]) // noRequest let only arrivals with a request through
	c.wbuf, c.idem = c.out, m.set.Idempotent(i)
	return m.set.Method(i) == http.MethodHead
}
