package openloop

import (
	"bufio"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// H1Doer is a minimal HTTP/1.1 client for plain-http targets, built for an
// open loop: each worker owns one keep-alive connection (so there is no
// shared pool that could queue requests), the request is serialised once
// for the whole run and written with one system call, and the response is
// parsed in place and discarded. HTTPS, proxies and HTTP/2 use HTTPDoer.
type H1Doer struct {
	addr    string // host:port to dial
	req     []byte // the serialised request
	head    bool
	retry   bool // idempotent method: safe to resend on a stale keep-alive connection
	timeout time.Duration
	dialer  net.Dialer

	mu       sync.Mutex
	conns    map[*h1Conn]struct{}     // open connections, for Close and aborts
	watching map[<-chan struct{}]bool // contexts whose end aborts every connection
	closed   chan struct{}

	dials, retries atomic.Int64
	// retrans adds up the closed connections' TCP retransmissions (the
	// event loop's too).
	retrans atomic.Int64
}

// Dials is the number of connections opened; Retries the requests resent
// on a fresh connection after a stale keep-alive one failed.
func (d *H1Doer) Dials() (dials, retries int64) { return d.dials.Load(), d.retries.Load() }

// Retransmits is how many TCP segments the client resent on the
// connections closed so far (retrans_linux.go; 0 elsewhere).
func (d *H1Doer) Retransmits() int64 { return d.retrans.Load() }

var _ Doer = (*H1Doer)(nil)

// Protocol is the HTTP version the client speaks: HTTP/1.1.
func (d *H1Doer) Protocol() string { return "HTTP/1.1" }

// h1Conn is one worker's connection.
type h1Conn struct {
	c      net.Conn
	br     *bufio.Reader
	reused bool // at least one response was read on it
	owner  *H1Doer
}

// UserAgent is sent unless the request sets its own.
const UserAgent = "bploadgen/1"

// NewH1Doer serialises the request. It accepts only http:// URLs.
func NewH1Doer(cfg HTTPConfig) (*H1Doer, error) {
	u, err := url.Parse(cfg.URL)
	if err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	if u.Scheme != "http" {
		return nil, fmt.Errorf("the HTTP/1.1 client takes http:// URLs, not %s://", u.Scheme)
	}
	addr := u.Host
	if u.Port() == "" {
		addr = net.JoinHostPort(u.Hostname(), "80")
	}
	method := cfg.Method
	if method == "" {
		method = http.MethodGet
	}
	var b strings.Builder
	b.WriteString(method + " " + u.RequestURI() + " HTTP/1.1\r\n")
	host := u.Host
	if h := cfg.Header.Get("Host"); h != "" {
		host = h
	}
	b.WriteString("Host: " + host + "\r\n")
	hasUA := false
	for name, vs := range cfg.Header {
		switch http.CanonicalHeaderKey(name) {
		case "Host", "Content-Length", "Connection", "Transfer-Encoding":
			continue // the client writes these itself
		case "User-Agent":
			hasUA = true
		}
		for _, v := range vs {
			b.WriteString(name + ": " + v + "\r\n")
		}
	}
	if !hasUA {
		b.WriteString("User-Agent: " + UserAgent + "\r\n")
	}
	if u.User != nil && cfg.Header.Get("Authorization") == "" {
		pw, _ := u.User.Password()
		b.WriteString("Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(u.User.Username()+":"+pw)) + "\r\n")
	}
	if len(cfg.Body) > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		b.WriteString("Content-Length: " + strconv.Itoa(len(cfg.Body)) + "\r\n")
	}
	b.WriteString("\r\n")
	b.Write(cfg.Body)
	idempotent := map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true, "TRACE": true, "PUT": true, "DELETE": true}[method]
	return &H1Doer{
		addr: addr, req: []byte(b.String()), head: method == http.MethodHead,
		retry: idempotent, timeout: cfg.Timeout,
		dialer: net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second},
		conns:  map[*h1Conn]struct{}{}, watching: map[<-chan struct{}]bool{},
		closed: make(chan struct{}),
	}, nil
}

// Close closes every connection still open.
func (d *H1Doer) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for c := range d.conns {
		d.retrans.Add(connRetransmits(c.c))
		c.c.Close()
		delete(d.conns, c)
	}
	select {
	case <-d.closed:
	default:
		close(d.closed)
	}
}

// watch arranges, once per context, for the end of ctx to abort every
// request in flight (their connections' deadlines are moved to the past).
// One watcher per run instead of a callback per request keeps the request
// path free of allocations.
func (d *H1Doer) watch(ctx context.Context) {
	done := ctx.Done()
	if done == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.watching[done] {
		return
	}
	d.watching[done] = true
	go func() {
		select {
		case <-done:
			d.mu.Lock()
			for c := range d.conns {
				c.c.SetDeadline(aLongTimeAgo)
			}
			d.mu.Unlock()
		case <-d.closed:
		}
	}()
}

// aLongTimeAgo is a deadline in the past: it wakes a blocked read at once.
var aLongTimeAgo = time.Unix(1, 0)

// Do sends the request on the worker's connection (dialling one if it has
// none), reads the whole response and returns its outcome. A keep-alive
// connection that the server had closed before any byte of the response
// arrived is redialled and the request sent again, once, when that is safe.
func (d *H1Doer) Do(ctx context.Context, s *Scratch) Response {
	d.watch(ctx)
	deadline := time.Now().Add(d.timeout)
	for attempt := 0; ; attempt++ {
		if s.conn != nil && s.conn.unusable() {
			s.Close() // bytes nobody asked for, or closed while idle
		}
		fresh := s.conn == nil
		if fresh {
			c, err := d.dial(ctx, deadline)
			if err != nil {
				return failed(ctx, err)
			}
			s.conn = c
		}
		c := s.conn
		resp, err := d.roundTrip(ctx, c, s, deadline)
		if err == nil {
			if resp.close {
				s.Close()
			}
			return resp.Response
		}
		s.Close()
		if attempt == 0 && !fresh && resp.n == 0 && d.resendable(s) && isStale(err) && ctx.Err() == nil {
			d.retries.Add(1)
			continue
		}
		return failed(ctx, err)
	}
}

// roundTrip writes the request and reads the response on c.
func (d *H1Doer) roundTrip(ctx context.Context, c *h1Conn, s *Scratch, deadline time.Time) (out struct {
	Response
	close bool
	n     int
}, err error) {
	out.ServerQueue, out.ServerService = -1, -1
	if err := c.c.SetDeadline(deadline); err != nil {
		return out, err
	}
	// The watcher may have aborted every connection just before the
	// deadline above was set: check ctx after setting it.
	if err := ctx.Err(); err != nil {
		return out, err
	}
	req, head := d.req, d.head
	if s.req.on { // a request set's (mixsend.go)
		req, head = s.req.wire, s.req.head
	}
	_, werr := c.c.Write(req)
	// The status is not known before the headers are read; keep headers
	// and body prefix only for non-2xx responses, re-reading nothing: the
	// prefix buffer is the scratch's, and headers are kept when cheap to
	// decide, i.e. always parsed but copied only for non-2xx below. After
	// a failed write the server may still have answered (a 413 to a large
	// body, then close): that answer is the outcome.
	r, kept, err := readH1Response(c.br, head, true, s.sampled, s.buf[:])
	out.n = r.n
	if err != nil {
		if werr != nil {
			err = werr
		}
		return out, err
	}
	c.reused = true
	out.Status = r.status
	// Bytes after the response (a server answering twice) would be taken
	// for the next response: such a connection is not reused.
	out.close = r.close || werr != nil || c.br.Buffered() > 0
	if len(r.serverTime) > 0 {
		out.ServerQueue, out.ServerService = ParseServerTiming(string(r.serverTime))
	}
	if r.status < 200 || r.status > 299 {
		s.Body = s.buf[:kept]
		out.Body, out.Header = s.Body, r.header
	}
	return out, nil
}

// resendable reports whether the worker's current request may be resent
// after a stale keep-alive connection failed (an idempotent method).
func (d *H1Doer) resendable(s *Scratch) bool {
	if s.req.on {
		return s.req.idempotent
	}
	return d.retry
}

func (d *H1Doer) dial(ctx context.Context, deadline time.Time) (*h1Conn, error) {
	dctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	nc, err := d.dialer.DialContext(dctx, "tcp", d.addr)
	if err != nil {
		return nil, err
	}
	d.dials.Add(1)
	if tc, ok := nc.(*net.TCPConn); ok {
		tc.SetNoDelay(true)
	}
	c := &h1Conn{c: nc, br: bufio.NewReaderSize(nc, h1BufSize), owner: d}
	d.mu.Lock()
	d.conns[c] = struct{}{}
	d.mu.Unlock()
	return c, nil
}

// close closes c; its retransmissions count once, here or in Close,
// whichever takes it out of the open connections.
func (c *h1Conn) close() {
	d := c.owner
	d.mu.Lock()
	if _, open := d.conns[c]; open {
		d.retrans.Add(connRetransmits(c.c))
		delete(d.conns, c)
	}
	d.mu.Unlock()
	c.c.Close()
}

// isStale reports whether err is what a write or read on a keep-alive
// connection the server has already closed returns.
func isStale(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// failed turns an error into a Response; a deadline forced by ctx is
// reported as ctx's error (canceled), not as a timeout.
func failed(ctx context.Context, err error) Response {
	if ctx.Err() != nil {
		err = fmt.Errorf("%w: %w", ctx.Err(), err)
	}
	return Response{ErrClass: Classify(err), Err: err, ServerQueue: -1, ServerService: -1}
}
