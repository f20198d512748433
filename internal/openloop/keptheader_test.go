package openloop

import (
	"bufio"
	"fmt"
	"strings"
	"testing"
)

// TestKeptHeaderBounded (item 15): a non-2xx response's header is kept for
// its sample, but a legal 400 KB header block (2,000 fields of 200 bytes,
// under H1MaxHeaderBytes) keeps at most h1MaxKeptHeader bytes of names and
// values in either parser, the first fields first; the response itself is
// parsed whole, and an obs-fold continuation of a field that was not kept
// is not joined to another.
func TestKeptHeaderBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("HTTP/1.1 503 Busy\r\n")
	for i := range 2000 {
		fmt.Fprintf(&b, "X-F%04d: %s\r\n", i, strings.Repeat("v", 190))
		if i == 1999 {
			b.WriteString(" folded\r\n")
		}
	}
	b.WriteString("Content-Length: 2\r\n\r\nno")
	raw := b.String()

	check := func(what string, r h1Response, err error) {
		t.Helper()
		if err != nil || r.status != 503 {
			t.Fatalf("%s: status %d, error %v", what, r.status, err)
		}
		n := 0
		for k, vs := range r.header {
			for _, v := range vs {
				n += len(k) + len(v)
				if strings.Contains(v, "folded") {
					t.Errorf("%s: the fold of a dropped field joined %s", what, k)
				}
			}
		}
		if n > h1MaxKeptHeader || r.header.Get("X-F0000") == "" || len(r.header) < 50 {
			t.Errorf("%s: %d fields, %d bytes kept (limit %d)", what, len(r.header), n, h1MaxKeptHeader)
		}
	}
	r, _, err := readH1Response(bufio.NewReader(strings.NewReader(raw)), false, true, nil, make([]byte, SampleBodyBytes))
	check("blocking", r, err)

	sizes := make([]int, len(raw)/1000+1)
	for i := range sizes {
		sizes[i] = 1000 // in pieces, as reads would cut it
	}
	r, _, _, err = streamParse([]byte(raw), false, sizes)
	check("stream", r, err)
}
