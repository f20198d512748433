package openloop

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Request sets (Config.Requests): each arrival's request is the set's
// choice for the arrival's seq, rendered per arrival into memory the
// sender owns (a worker's Scratch, an event-loop connection), so rendering
// allocates nothing once that memory has grown. Without a set the Doer's
// one serialised request is sent, as before.

// prepared is the request of a worker's current arrival when the run has a
// request set.
type prepared struct {
	on         bool // a set's request: the Doer sends this, not its own
	index      int  // the request's index in the set
	head       bool // HEAD: the response has no body
	idempotent bool // safe to resend after a stale keep-alive connection failed
	wire       []byte
	parts      mix.Parts
}

// Request reports the request the worker was given for its current
// arrival: its index in Config.Requests and its HTTP/1.1 bytes (nil for
// the net/http client, which renders parts); ok is false when the run has
// no request set (the Doer sends its own request).
func (s *Scratch) Request() (index int, wire []byte, ok bool) {
	return s.req.index, s.req.wire, s.req.on
}

// mixState is what the engine keeps of Config.Requests.
type mixState struct {
	set     *mix.Set
	parts   bool  // the Doer renders parts (net/http), not bytes
	limit   int64 // arrivals with seq >= limit have no request (data rows ran out)
	limited bool
}

func newMixState(cfg *Config) *mixState {
	if cfg.Requests == nil {
		return nil
	}
	m := &mixState{set: cfg.Requests}
	_, m.parts = cfg.Doer.(*HTTPDoer)
	m.limit, m.limited = cfg.Requests.Limit()
	return m
}

// noRequest reports whether the set has no request for arrival a (order
// unique's rows, or a replay's log, ran out): such an arrival is counted
// as not_sent by its dispatcher, never sent and never silently dropped.
func (e *Engine) noRequest(a schedule.Arrival) bool {
	m := e.mix
	if m == nil || !m.limited || a.Seq < m.limit {
		return false
	}
	e.noRowN.Add(1)
	return true
}

// render prepares attempt attempt (0: the first) of arrival a's request in
// s, for the worker's Doer; false when the set has none for it.
func (e *Engine) render(a schedule.Arrival, attempt uint32, s *Scratch) bool {
	m := e.mix
	r := &s.req
	seq := uint64(a.Seq)
	i := m.set.Choose(seq)
	r.on, r.index = true, i
	r.head, r.idempotent = m.set.Method(i) == http.MethodHead, m.set.Idempotent(i)
	if m.parts {
		r.wire = nil
		return m.set.RenderPartsAttempt(i, seq, attempt, &r.parts)
	}
	var ok bool
	r.wire, ok = m.set.AppendHTTP1Attempt(i, seq, attempt, r.wire[:0])
	return ok
}

// partsRequest builds net/http's request from the rendered parts: the
// set's headers, the URL's Host unless the request set its own, the
// client's User-Agent unless it set one.
func (d *HTTPDoer) partsRequest(ctx context.Context, p *mix.Parts) (*http.Request, error) {
	u, err := url.Parse(string(p.URL))
	if err != nil {
		return nil, err
	}
	h := make(http.Header, len(p.Headers)+1)
	for _, x := range p.Headers {
		h.Add(x.Name, string(x.Value))
	}
	if h.Get("User-Agent") == "" {
		h.Set("User-Agent", UserAgent)
	}
	host := u.Host
	if p.Host != "" {
		host = p.Host
	}
	req := &http.Request{Method: p.Method, URL: u, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Host: host}
	if len(p.Body) > 0 {
		body := bytes.Clone(p.Body)
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return req.WithContext(ctx), nil
}
