package openloop

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

// streamParse feeds data to an h1Stream in pieces of the given sizes (the
// rest at once), then EOF if it is not done.
func streamParse(data []byte, head bool, sizes []int) (h1Response, []byte, int, error) {
	var p h1Stream
	prefix := make([]byte, 16)
	p.reset(head, true, prefix, nil)
	var buf []byte
	pos := 0
	for i := 0; !p.done(); i++ {
		if pos >= len(data) {
			if err := p.eof(); err != nil {
				return p.resp, nil, 0, err
			}
			break
		}
		n := len(data) - pos
		if i < len(sizes) && sizes[i] > 0 && sizes[i] < n {
			n = sizes[i]
		}
		buf = append(buf, data[pos:pos+n]...)
		pos += n
		used, err := p.feed(buf)
		if err != nil {
			return p.resp, nil, 0, err
		}
		buf = buf[used:]
	}
	rest := append(buf, data[pos:]...)
	return p.resp, rest, p.kept, nil
}

// TestStreamMatchesBlockingParser: for the blocking parser's cases, the
// stream parser fed all at once and one byte at a time agrees with it.
func TestStreamMatchesBlockingParser(t *testing.T) {
	for _, in := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloNEXT",
		"HTTP/1.1 503 x\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\nNEXT",
		"HTTP/1.1 500 Oops\r\n\r\nuntil the end",
		"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nNEXT",
		"HTTP/1.1 200 OK\r\nServer-Timing: queue;dur=1.5, svc;dur=10\r\nContent-Length: 0\r\n\r\n",
		"HTTP/1.1 404 Not Found\nContent-Length: 1\n\nx",
		"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc",
		"HTTP/1.1 2x0 OK\r\n\r\n",
		"garbage",
		"",
	} {
		assertSameParse(t, []byte(in), false, nil)
		assertSameParse(t, []byte(in), true, ones(len(in)))
	}
	for _, in := range hostileResponses {
		assertSameParse(t, []byte(in), false, nil)
		assertSameParse(t, []byte(in), false, ones(len(in)))
		assertSameParse(t, []byte(in), true, ones(len(in)))
	}
}

func ones(n int) []int {
	s := make([]int, n)
	for i := range s {
		s[i] = 1
	}
	return s
}

// assertSameParse compares the two parsers on data: both fail or both
// succeed with the same status, connection use, kept body, Server-Timing
// and leftover bytes.
func assertSameParse(t *testing.T, data []byte, head bool, sizes []int) {
	t.Helper()
	src := bytes.NewReader(data)
	br := bufio.NewReaderSize(src, h1BufSize)
	prefix := make([]byte, 16)
	want, wantKept, wantErr := readH1Response(br, head, true, nil, prefix)
	got, rest, kept, err := streamParse(data, head, sizes)
	if errKind(err) != errKind(wantErr) {
		t.Fatalf("%.200q (%d pieces): stream err %v, blocking err %v", data, len(sizes), err, wantErr)
	}
	if err != nil {
		return
	}
	if got.n != want.n {
		t.Errorf("%.200q: stream saw %d bytes, blocking %d", data, got.n, want.n)
	}
	wantRest, _ := br.Peek(br.Buffered())
	unread, _ := io.ReadAll(src) // what the blocking parser did not buffer
	wantRest = append(wantRest, unread...)
	if got.status != want.status || got.close != want.close || kept != wantKept ||
		string(got.serverTime) != string(want.serverTime) || string(rest) != string(wantRest) {
		t.Errorf("%.200q: stream %d close %v kept %d st %q rest %.80q (%d); blocking %d %v %d %q %.80q (%d)",
			data, got.status, got.close, kept, got.serverTime, rest, len(rest), want.status, want.close, wantKept, want.serverTime, wantRest, len(wantRest))
	}
	if (got.header == nil) != (want.header == nil) {
		t.Errorf("%q: kept headers differ", data)
	}
}

// errKind is what the clients make of a parse error: none, the
// connection ended before any byte (eof: a resend may be safe), ended
// mid-response (unexpected), a size limit, or malformed.
func errKind(err error) string {
	switch {
	case err == nil:
		return ""
	case errors.Is(err, io.EOF):
		return "eof"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected"
	case errors.Is(err, errTooLong):
		return "too long"
	case errors.Is(err, errMalformed):
		return "malformed"
	}
	return "other: " + err.Error()
}

// hostileResponses are raw responses of the hostile-server suite
// (hostile_cases_test.go) and of issue #14, for the differential tests.
var hostileResponses = []string{
	rawOK + "HTTP/1.1 503 Stale\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 503 Serv",
	"HTTP/1.1 503 Service Unavailable\r\nContent-Len",
	"HTTP/1.1 200 OK\r\nServer-Timing: queue;dur=1\r\nServer-Timing: svc;dur=2\r\nContent-Length: 0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nSet-Cookie: a=" + strings.Repeat("x", 10<<10) + "\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Pad: "+strings.Repeat("p", 1000)+"\r\n", 1100) + "\r\n",
	"HTTP/1.1 200 OK\r\nX-Long: a\r\n b\r\nServer-Timing: queue;dur=1,\r\n\tsvc;dur=2\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\n folded-first\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2;a=b\r\nok\r\n3 ; c=\"d\"\r\nabc\r\n0\r\nX-Trailer: 1\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;" + strings.Repeat("e", 9<<10) + "\r\nx\r\n0\r\n\r\n",
	"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n" + strings.Repeat("T: "+strings.Repeat("t", 1000)+"\r\n", 1100) + "\r\n",
	"HTTP/1.1 200 OK\r\n\r\n" + strings.Repeat("body", 100),
	"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
	"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n" + rawOK,
	strings.Repeat("HTTP/1.1 103 Early Hints\r\n\r\n", 6) + rawOK,
	"HTTP/1.1 304 Not Modified\r\nContent-Length: 100\r\n\r\n",
	"SPDY/9 what\r\n\r\n",
	"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial",
	"HTTP/1.1 101 Switching Protocols\r\n\r\n",
}

// FuzzStreamMatchesBlocking: any bytes, split anywhere, parse the same way
// with the stream parser as with the blocking one: the same outcome, bytes
// seen and error kind (both parsers share the size limits).
func FuzzStreamMatchesBlocking(f *testing.F) {
	for _, in := range hostileResponses {
		if len(in) <= 16<<10 { // the size limits are tested in TestStreamMatchesBlockingParser
			f.Add([]byte(in), uint8(5), false)
		}
	}
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), uint8(3), false)
	f.Add([]byte("HTTP/1.1 503 x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), uint8(1), false)
	f.Add([]byte("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 404 x\r\n\r\nbody"), uint8(7), true)
	f.Fuzz(func(t *testing.T, data []byte, piece uint8, head bool) {
		if len(data) > 16<<10 {
			return // bounded work per input; the limits are tested above
		}
		var sizes []int
		if piece > 0 {
			for i := 0; i < len(data); i += int(piece) {
				sizes = append(sizes, int(piece))
			}
		}
		assertSameParse(t, data, head, sizes)
	})
}
