package mix

import (
	"fmt"
	"strconv"

	"github.com/bploadgen/bploadgen/internal/placeholder"
)

// Len is the number of requests.
func (s *Set) Len() int { return len(s.reqs) }

// Names are the distinct request names, in the order of their first
// request; with more than MaxNames the last is Other. The result's
// by_request is keyed by them.
func (s *Set) Names() []string { return s.names }

// NameOf is the index in Names of request i's name.
func (s *Set) NameOf(i int) int { return s.reqs[i].name }

// Method is request i's method.
func (s *Set) Method(i int) string { return s.reqs[i].method }

// Origin is request i's scheme://host[:port] (user info included when
// the URL had one).
func (s *Set) Origin(i int) string { return s.reqs[i].origin }

// Idempotent reports whether request i may be resent after a stale
// keep-alive connection failed.
func (s *Set) Idempotent(i int) bool { return s.reqs[i].idempotent }

// BodyBytes is request i's body length as sent, escapes (`\{{`)
// resolved: exact when static is true; when placeholders make it vary,
// arrival 0's (seq 0, attempt 0; 0 if the data has no row for it).
func (s *Set) BodyBytes(i int) (n int, static bool) {
	if c := &s.reqs[i]; c.bodyLen >= 0 {
		return c.bodyLen, true
	}
	var p Parts
	s.RenderParts(i, 0, &p)
	return len(p.Body), false
}

// Chooser is the weighted choice of the set's requests.
func (s *Set) Chooser() *Chooser { return s.chooser }

// Choose is the request index of arrival seq: a pure function of (seed,
// seq), or the replay's request for it after SetArrivals.
func (s *Set) Choose(seq uint64) int {
	if s.fixed != nil {
		if seq < uint64(len(s.fixed)) {
			return int(s.fixed[seq])
		}
		return 0 // past the plan: Limit says there is none
	}
	return s.chooser.Choose(s.seed, seq)
}

// SetArrivals makes the set a replay's: arrival seq gets request
// index[seq] (replay.Log.Index) instead of a weighted draw, and Limit is
// len(index). Call it before the run; the set keeps the slice.
func (s *Set) SetArrivals(index []uint32) error {
	for i, r := range index {
		if int(r) >= len(s.reqs) {
			return fmt.Errorf("arrival %d: request %d of %d", i, r, len(s.reqs))
		}
	}
	s.fixed = index
	return nil
}

// Limit is how many arrivals the set can render: the data rows under
// order unique; ok is false when there is no limit. An arrival past it
// has no request (Vars reports false).
func (s *Set) Limit() (n int64, ok bool) {
	if s.fixed != nil {
		n = int64(len(s.fixed))
		if s.data != nil {
			if d, ok := s.data.Limit(); ok {
				n = min(n, d)
			}
		}
		return n, true
	}
	if s.data == nil {
		return 0, false
	}
	return s.data.Limit()
}

// Vars fills v for arrival seq: false when the data has no row for it
// (order unique, rows run out).
func (s *Set) Vars(seq uint64, v *placeholder.Vars) bool {
	v.Seed, v.Seq, v.Row = s.seed, seq, nil
	if s.data == nil {
		return true
	}
	row, ok := s.data.Row(s.seed, seq)
	v.Row = row
	return ok
}

// Render appends the HTTP/1.1 request of arrival seq (the chosen request)
// to dst: AppendHTTP1(Choose(seq), seq, dst).
func (s *Set) Render(seq uint64, dst []byte) (req int, out []byte, ok bool) {
	if s.fixed != nil && seq >= uint64(len(s.fixed)) {
		return 0, dst, false
	}
	req = s.Choose(seq)
	out, ok = s.AppendHTTP1(req, seq, dst)
	return req, out, ok
}

// AppendHTTP1 appends request i as arrival seq renders it, serialised for
// HTTP/1.1 as the engine's H1 client sends a request (request line, Host,
// the headers, User-Agent unless set, Content-Length for a body or a
// POST/PUT/PATCH, the body). It allocates nothing once dst has room. ok is
// false, and dst is returned as it was, when the data has no row for seq.
func (s *Set) AppendHTTP1(i int, seq uint64, dst []byte) ([]byte, bool) {
	return s.AppendHTTP1Attempt(i, seq, 0, dst)
}

// AppendHTTP1Attempt is AppendHTTP1 for attempt a of arrival seq (0 the
// first, n the n-th retry): the same request with {{attempt}} rendered as
// a (issue #17; a retry keeps its arrival's seq, row and draws).
func (s *Set) AppendHTTP1Attempt(i int, seq uint64, a uint32, dst []byte) ([]byte, bool) {
	var v placeholder.Vars
	if !s.Vars(seq, &v) {
		return dst, false
	}
	v.Attempt = a
	c := &s.reqs[i]
	dst = append(dst, c.method...)
	dst = append(dst, ' ')
	dst = c.target.Append(dst, &v)
	dst = append(dst, " HTTP/1.1\r\n"...)
	dst = append(dst, c.head...)
	for _, h := range c.headers {
		dst = append(dst, h.name...)
		dst = append(dst, ": "...)
		dst = h.value.Append(dst, &v)
		dst = append(dst, "\r\n"...)
	}
	if !c.contentLen {
		return append(dst, "\r\n"...), true
	}
	if c.bodyLen >= 0 {
		dst = append(dst, "Content-Length: "...)
		dst = strconv.AppendInt(dst, int64(c.bodyLen), 10)
		dst = append(dst, "\r\n\r\n"...)
		return c.body.Append(dst, &v), true
	}
	// A rendered body's length is known once it is rendered: render it at
	// the end, then move it right past the Content-Length line.
	start := len(dst)
	dst = c.body.Append(dst, &v)
	n := len(dst) - start
	var line [40]byte
	l := append(line[:0], "Content-Length: "...)
	l = strconv.AppendInt(l, int64(n), 10)
	l = append(l, "\r\n\r\n"...)
	dst = append(dst, l...) // grow by len(l)
	copy(dst[start+len(l):], dst[start:start+n])
	copy(dst[start:], l)
	return dst, true
}

// Parts is one arrival's request in pieces, for a client that builds its
// own request (net/http). Its byte slices share one buffer that the next
// Render into the same Parts reuses.
type Parts struct {
	Request int    // index in the set
	Method  string //
	// Host is the Host header the request sets itself; "" for the URL's.
	Host    string
	URL     []byte // absolute
	Headers []PartHeader
	Body    []byte
	buf     []byte
}

// PartHeader is one rendered header (the set's headers: not Host, not
// User-Agent, not Content-Length; the client adds those).
type PartHeader struct {
	Name  string
	Value []byte
}

// RenderParts renders request i for arrival seq into p; false when the
// data has no row for seq. It allocates nothing once p has grown.
func (s *Set) RenderParts(i int, seq uint64, p *Parts) bool {
	return s.RenderPartsAttempt(i, seq, 0, p)
}

// RenderPartsAttempt is RenderParts for attempt a of arrival seq (see
// AppendHTTP1Attempt).
func (s *Set) RenderPartsAttempt(i int, seq uint64, a uint32, p *Parts) bool {
	var v placeholder.Vars
	if !s.Vars(seq, &v) {
		return false
	}
	v.Attempt = a
	c := &s.reqs[i]
	p.Request, p.Method, p.Host = i, c.method, c.host
	b := p.buf[:0]
	b = append(b, c.origin...)
	b = c.target.Append(b, &v)
	urlEnd := len(b)
	type span struct{ from, to int }
	var spans [32]span
	hs := spans[:0]
	for _, h := range c.headers {
		from := len(b)
		b = h.value.Append(b, &v)
		hs = append(hs, span{from, len(b)})
	}
	bodyFrom := len(b)
	b = c.body.Append(b, &v)
	p.buf = b
	p.URL = b[:urlEnd:urlEnd]
	p.Headers = p.Headers[:0]
	for k, h := range c.headers {
		sp := hs[k]
		p.Headers = append(p.Headers, PartHeader{Name: h.name, Value: b[sp.from:sp.to:sp.to]})
	}
	p.Body = b[bodyFrom:]
	return true
}
