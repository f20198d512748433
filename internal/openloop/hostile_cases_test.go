package openloop

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hostileCase is one misbehaving server and the one outcome every client
// must report for it.
type hostileCase struct {
	name   string
	method string
	path   string
	header http.Header
	body   []byte
	n      int // requests; 6 when 0
	serve  func(r hreq, c net.Conn, br *bufio.Reader) bool
	want   func(n int) map[string]int64
	// resends: a request may be sent again (no byte of its response had
	// arrived); fewer: the server may read fewer requests than were sent.
	resends, fewer bool
	// sameKinds: the outcomes' kinds must be want's, their split may vary.
	sameKinds bool
	check     func(t *testing.T, rec *Recording, n int)
	skip      map[string]string // client → why it cannot agree
}

const rawOK = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

// answer writes resp and keeps the connection. resp is converted once,
// here: a per-request copy of a large answer could still be on the
// server's stack when the case measures the heap.
func answer(resp string) func(hreq, net.Conn, *bufio.Reader) bool {
	b := []byte(resp)
	return func(_ hreq, c net.Conn, _ *bufio.Reader) bool { c.Write(b); return true }
}

// answerClose writes resp and closes the connection.
func answerClose(resp string) func(hreq, net.Conn, *bufio.Reader) bool {
	b := []byte(resp)
	return func(_ hreq, c net.Conn, _ *bufio.Reader) bool { c.Write(b); return false }
}

// reset closes c with a TCP reset.
func reset(c net.Conn) {
	c.(*net.TCPConn).SetLinger(0)
	c.Close()
}

// halves is a want function: the even requests end in a, the odd in b.
func halves(a, b string) func(n int) map[string]int64 {
	return func(n int) map[string]int64 {
		return map[string]int64{a: int64((n + 1) / 2), b: int64(n / 2)}
	}
}

var hostileCases = []hostileCase{
	{name: "plain", serve: answer(rawOK), want: all("200")},
	{
		// Item 5: a second, unasked-for answer follows each response (in
		// the same write: sent later, it could cross the next request, and
		// then no client can tell it from that request's answer); taken
		// for the next request's response it would be a 503 at once.
		name:  "answers-twice",
		serve: answer(rawOK + "HTTP/1.1 503 Stale\r\nContent-Length: 0\r\n\r\n"),
		want:  all("200"),
	},
	{
		// Item 6: the second request on each connection gets part of a
		// status line, then the connection ends: never resent.
		name: "truncated-status-reused",
		serve: func(r hreq, c net.Conn, _ *bufio.Reader) bool {
			if r.i == 0 {
				write(c, rawOK)
				return true
			}
			write(c, "HTTP/1.1 503 Serv")
			return false
		},
		want: halves("200", "reset"), sameKinds: true,
	},
	{
		// Item 6: a POST without a body is not idempotent: when the server
		// drops the reused connection without answering, it is not resent.
		name: "post-empty-dropped", method: "POST",
		serve: func(r hreq, c net.Conn, _ *bufio.Reader) bool {
			if r.i == 0 {
				write(c, rawOK)
				return true
			}
			return false
		},
		want: halves("200", "reset"), sameKinds: true,
	},
	{
		// The same for a GET: it is resent once, on a fresh connection.
		name: "get-dropped-resent",
		serve: func(r hreq, c net.Conn, _ *bufio.Reader) bool {
			if r.i == 0 {
				write(c, rawOK)
				return true
			}
			return false
		},
		want: all("200"), resends: true,
	},
	{
		// Item 7: a 413 before the body was read, connection kept open; the
		// server then reads the body it was promised. A client that reused
		// the connection would splice its next request into that body.
		name: "early-413-kept", method: "POST", body: make([]byte, 16<<20), n: 3,
		serve: func(r hreq, c net.Conn, br *bufio.Reader) bool {
			write(c, "HTTP/1.1 413 Too Large\r\nContent-Length: 0\r\n\r\n")
			_, err := io.CopyN(io.Discard, br, r.clen)
			return err == nil
		},
		want: all("413"),
	},
	{
		// Item 12: a 413 before the body was read, then close (a reset,
		// as the body is unread): the 413 is the outcome, not the reset.
		name: "early-413-close", method: "POST", body: make([]byte, 16<<20), n: 3,
		serve: answerClose("HTTP/1.1 413 Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"),
		want:  all("413"),
	},
	{
		// Item 8: two Server-Timing fields are one list.
		name:  "server-timing-fields",
		serve: answer("HTTP/1.1 200 OK\r\nServer-Timing: queue;dur=1\r\nServer-Timing: svc;dur=2\r\nContent-Length: 0\r\n\r\n"),
		want:  all("200"),
		check: func(t *testing.T, rec *Recording, n int) {
			st := rec.Total.ServerTiming
			if st == nil || st.Queue.Count != int64(n) || st.Service.Count != int64(n) {
				t.Errorf("server timing %+v", st)
			}
		},
	},
	{
		// Item 9: -H Host is the Host sent.
		name: "virtual-host", header: http.Header{"Host": {"vhost.example"}},
		serve: func(r hreq, c net.Conn, _ *bufio.Reader) bool {
			if r.host != "vhost.example" {
				write(c, "HTTP/1.1 421 Misdirected\r\nContent-Length: 0\r\n\r\n")
				return true
			}
			write(c, rawOK)
			return true
		},
		want: all("200"),
	},
	{
		// Item 10: a 10 KB Set-Cookie is legal.
		name:  "long-header-line",
		serve: answer("HTTP/1.1 200 OK\r\nSet-Cookie: a=" + strings.Repeat("x", 10<<10) + "\r\nContent-Length: 2\r\n\r\nok"),
		want:  all("200"),
	},
	{
		// Item 10: a header block over the limit (net/http's 1 MB) fails.
		name:  "huge-header",
		serve: answer("HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 1000)+"\r\n", 1100) + "Content-Length: 2\r\n\r\nok"),
		want:  all("other"),
	},
	{
		// Item 11: obs-fold is joined with a space (RFC 9112 §5.2).
		name:  "obs-fold",
		serve: answer("HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\nContent-Length: 2\r\n\r\nok"),
		want:  all("200"),
	},
	{
		// Item 13: a sign is not a digit.
		name:  "content-length-plus",
		serve: answer("HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok"),
		want:  all("other"),
	},
	{
		name:  "content-length-conflict",
		serve: answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok"),
		want:  all("other"),
	},
	{
		name:  "content-length-duplicate",
		serve: answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok"),
		want:  all("200"),
	},
	{
		name:  "chunked-extensions-trailers",
		serve: answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b\r\nok\r\n3;c=\"d\"\r\nabc\r\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n"),
		want:  all("200"),
	},
	{
		// RFC 9112 §7.1.1 allows whitespace (BWS) before a chunk
		// extension's ";"; net/http refuses it ("invalid byte in chunk
		// length") and its chunked reader cannot be configured, so every
		// client refuses it: one verdict in every mode (h1chunk.go).
		name:  "chunk-ext-whitespace",
		serve: answer("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2 ;a=b\r\nok\r\n0\r\n\r\n"),
		want:  all("other"),
	},
	{
		name:  "close-delimited",
		serve: answerClose("HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("body", 1000)),
		want:  all("200"),
	},
	{
		name:  "http10",
		serve: answerClose("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"),
		want:  all("200"),
	},
	{
		name:  "interim-103",
		serve: answer("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n" + rawOK),
		want:  all("200"),
	},
	{
		name:   "head-with-length",
		method: "HEAD",
		serve:  answer("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"),
		want:   all("200"),
	},
	{
		name:  "204-with-length",
		serve: answer("HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n"),
		want:  all("204"),
	},
	{
		name:  "304-with-length",
		serve: answer("HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n"),
		want:  all("304"),
	},
	{
		name:  "garbage-status",
		serve: answerClose("SPDY/9 what\r\n\r\n"),
		want:  all("other"),
	},
	{
		name: "reset-mid-body",
		serve: func(_ hreq, c net.Conn, _ *bufio.Reader) bool {
			write(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
			time.Sleep(time.Millisecond)
			reset(c)
			return false
		},
		want: all("reset"),
	},
	{
		name: "slow-drip",
		serve: func(_ hreq, c net.Conn, _ *bufio.Reader) bool {
			for _, b := range []byte(rawOK) {
				if _, err := c.Write([]byte{b}); err != nil {
					return false
				}
				time.Sleep(200 * time.Microsecond)
			}
			return true
		},
		want: all("200"),
	},
	{
		name:  "connection-close-always",
		serve: answerClose("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"),
		want:  all("200"),
	},
	{
		name:  "huge-body",
		serve: answer("HTTP/1.1 200 OK\r\nContent-Length: 8388608\r\n\r\n" + strings.Repeat("b", 8<<20)),
		want:  all("200"), n: 3,
	},
}
