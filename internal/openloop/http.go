package openloop

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// HTTPConfig is the request every worker sends, and the client's limits.
type HTTPConfig struct {
	Method  string
	URL     string
	Header  http.Header
	Body    []byte
	Timeout time.Duration // per request, from the actual send
	// MaxConns should be the generator's --max-in-flight: the pool keeps that
	// many idle connections so it never becomes a hidden queue (net/http's
	// default keeps only 2 per host and redials the rest).
	MaxConns int
	// HTTP2 allows HTTP/2 over TLS. Off by default: a server's
	// max-concurrent-streams would silently cap in-flight requests.
	HTTP2 bool
	// Insecure skips TLS certificate verification.
	Insecure bool
	// PeakRate is the plan's highest rate (requests per second), this
	// process's share; no client choice depends on it any more (AutoLoops
	// does, in the caller), kept for callers that set it.
	PeakRate float64
}

// HTTPDoer sends requests with net/http, tuned for an open loop.
type HTTPDoer struct {
	cfg  HTTPConfig
	url  *url.URL
	host string // the Host header: -H Host, else the URL's
	// safeURL is the URL without user info and query, for error text.
	safeURL string
	client  *http.Client
	dials   atomic.Int64
	retrans atomic.Int64 // the closed connections' TCP retransmissions
	h1, h2  atomic.Bool  // a response came in HTTP/1.x, in HTTP/2
}

// Dials is the number of connections opened (net/http retries itself and
// does not say so: retries is 0).
func (d *HTTPDoer) Dials() (dials, retries int64) { return d.dials.Load(), 0 }

// Retransmits is how many TCP segments the client resent on the
// connections closed so far (retrans_linux.go; 0 elsewhere).
func (d *HTTPDoer) Retransmits() int64 { return d.retrans.Load() }

var _ Doer = (*HTTPDoer)(nil)

// NewHTTPDoer validates cfg and builds the client.
func NewHTTPDoer(cfg HTTPConfig) (*HTTPDoer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	if cfg.MaxConns < 1 {
		cfg.MaxConns = 1
	}
	d := &HTTPDoer{cfg: cfg, url: u, host: u.Host,
		safeURL: (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}).String()}
	if h := cfg.Header.Get("Host"); h != "" {
		d.host = h // net/http sends req.Host, not a Host entry of the header
	}
	dialer := &net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := dialer.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			d.dials.Add(1)
			return newEarlyAnswerConn(c, &d.retrans), nil
		},
		MaxIdleConns:           cfg.MaxConns,
		MaxIdleConnsPerHost:    cfg.MaxConns,
		MaxConnsPerHost:        0, // unlimited: a cap here would be a hidden FIFO queue
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    cfg.Timeout,
		ExpectContinueTimeout:  time.Second,
		DisableCompression:     true,             // measure the bytes the server sends
		MaxResponseHeaderBytes: H1MaxHeaderBytes, // the same limit as the H1 parsers
		ForceAttemptHTTP2:      cfg.HTTP2,
		TLSClientConfig:        TLSConfig(cfg),
	}
	if !cfg.HTTP2 {
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	if cfg.Header == nil {
		cfg.Header = http.Header{}
	}
	if cfg.Header.Get("User-Agent") == "" {
		cfg.Header = cfg.Header.Clone()
		cfg.Header.Set("User-Agent", UserAgent)
	}
	d.cfg = cfg
	d.client = &http.Client{
		Transport: tr,
		// A redirect is the target's answer: record it, don't follow.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return d, nil
}

// TLSConfig is the TLS side of the https client (HTTPDoer) for cfg, for it
// and for a handshake made beforehand with the same settings: certificates
// verified unless Insecure, and the application protocols offered (ALPN):
// h2 first when HTTP2 allows it, else HTTP/1.1 alone.
func TLSConfig(cfg HTTPConfig) *tls.Config {
	c := &tls.Config{InsecureSkipVerify: cfg.Insecure, NextProtos: []string{"http/1.1"}}
	if cfg.HTTP2 {
		c.NextProtos = []string{"h2", "http/1.1"}
	}
	return c
}

// Protocol is the HTTP version the responses came in: "HTTP/1.1" (any
// 1.x), "HTTP/2.0", both joined with ", " when both were seen, or "" when
// no response arrived.
func (d *HTTPDoer) Protocol() string {
	var p []string
	if d.h1.Load() {
		p = append(p, "HTTP/1.1")
	}
	if d.h2.Load() {
		p = append(p, "HTTP/2.0")
	}
	return strings.Join(p, ", ")
}

// Close releases idle connections.
func (d *HTTPDoer) Close() { d.client.CloseIdleConnections() }

// Do sends one request and reads the whole response body (so the
// connection is reused); the outcome's time is the time the body ended.
func (d *HTTPDoer) Do(ctx context.Context, s *Scratch) Response {
	ctx, cancel := context.WithTimeout(ctx, d.cfg.Timeout)
	defer cancel()
	if s.req.on { // a request set's (mixsend.go)
		req, err := d.partsRequest(ctx, &s.req.parts)
		if err != nil {
			return Response{ErrClass: Classify(err), Err: err, ServerQueue: -1, ServerService: -1}
		}
		return d.exchange(req, s)
	}
	req := &http.Request{
		Method:     d.cfg.Method,
		URL:        d.url,
		Proto:      "HTTP/1.1",
		ProtoMajor: 1,
		ProtoMinor: 1,
		Header:     d.cfg.Header.Clone(),
		Host:       d.host,
	}
	if len(d.cfg.Body) > 0 {
		body := d.cfg.Body
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.ContentLength = int64(len(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return d.exchange(req.WithContext(ctx), s)
}

// exchange sends req and reads its whole response.
func (d *HTTPDoer) exchange(req *http.Request, s *Scratch) Response {
	resp, err := d.client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			ue.URL = d.safeURL // no user name or query (secrets) in the error text
		}
		return Response{ErrClass: Classify(err), Err: err, ServerQueue: -1, ServerService: -1}
	}
	if err := finalStatus(resp); err != nil {
		resp.Body.Close()
		return Response{ErrClass: Classify(err), Err: err, ServerQueue: -1, ServerService: -1}
	}
	out := Response{Status: resp.StatusCode, ServerQueue: -1, ServerService: -1}
	seen := &d.h1
	if resp.ProtoMajor == 2 {
		seen = &d.h2
	}
	if !seen.Load() { // a load first: no write to a shared line per request
		seen.Store(true)
	}
	// Several Server-Timing fields are one comma-separated list.
	if st := resp.Header.Values("Server-Timing"); len(st) > 0 {
		out.ServerQueue, out.ServerService = ParseServerTiming(strings.Join(st, ","))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		n, _ := io.ReadFull(resp.Body, s.buf[:])
		s.Body = s.buf[:n]
		out.Body, out.Header = s.Body, resp.Header
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		// The status line arrived but the body did not: the exchange failed.
		return Response{ErrClass: Classify(err), Err: err, ServerQueue: -1, ServerService: -1}
	}
	return out
}

// finalStatus refuses what net/http lets through but the h1 and loop
// clients' parser does not (parseStatusLine), so that a server's bytes are
// one outcome in every client mode: a final status outside 200–599 (a 101,
// or a code no HTTP defines: "000", "+20", "999"), and a status line of an
// HTTP version other than 1.x where HTTP/2 was not negotiated.
func finalStatus(resp *http.Response) error {
	h2 := resp.ProtoMajor == 2 && resp.TLS != nil && resp.TLS.NegotiatedProtocol == "h2"
	switch {
	case resp.ProtoMajor != 1 && !h2:
		return fmt.Errorf("%w: bad HTTP version in %q", errMalformed, resp.Proto)
	case resp.StatusCode == http.StatusSwitchingProtocols:
		return fmt.Errorf("%w: unexpected 101 Switching Protocols", errMalformed)
	case resp.StatusCode < 200 || resp.StatusCode > 599:
		return fmt.Errorf("%w: bad status code %d", errMalformed, resp.StatusCode)
	}
	return nil
}
