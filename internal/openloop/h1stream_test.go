package openloop

import (
	"bufio"
	"bytes"
	"testing"
)

// streamParse feeds data to an h1Stream in pieces of the given sizes (the
// rest at once), then EOF if it is not done.
func streamParse(data []byte, head bool, sizes []int) (h1Response, []byte, int, error) {
	var p h1Stream
	prefix := make([]byte, 16)
	p.reset(head, true, prefix)
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
	br := bufio.NewReaderSize(bytes.NewReader(data), h1BufSize)
	prefix := make([]byte, 16)
	want, wantKept, wantErr := readH1Response(br, head, true, prefix)
	got, rest, kept, err := streamParse(data, head, sizes)
	if (err == nil) != (wantErr == nil) {
		t.Fatalf("%q (%d pieces): stream err %v, blocking err %v", data, len(sizes), err, wantErr)
	}
	if err != nil {
		return
	}
	wantRest, _ := br.Peek(br.Buffered())
	if got.status != want.status || got.close != want.close || kept != wantKept ||
		string(got.serverTime) != string(want.serverTime) || string(rest) != string(wantRest) {
		t.Errorf("%q: stream %d close %v kept %d st %q rest %q; blocking %d %v %d %q %q",
			data, got.status, got.close, kept, got.serverTime, rest, want.status, want.close, wantKept, want.serverTime, wantRest)
	}
	if (got.header == nil) != (want.header == nil) {
		t.Errorf("%q: kept headers differ", data)
	}
}

// FuzzStreamMatchesBlocking: any bytes, split anywhere, parse the same way
// with the stream parser as with the blocking one, within the blocking
// parser's line limit (its buffer; the stream parser bounds whole heads).
func FuzzStreamMatchesBlocking(f *testing.F) {
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"), uint8(3), false)
	f.Add([]byte("HTTP/1.1 503 x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n"), uint8(1), false)
	f.Add([]byte("HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 404 x\r\n\r\nbody"), uint8(7), true)
	f.Fuzz(func(t *testing.T, data []byte, piece uint8, head bool) {
		if len(data) >= h1BufSize {
			return
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
