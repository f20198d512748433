package openloop

import (
	"bufio"
	"errors"
	"net"
	"testing"
	"time"
)

// Chunk-size lines as net/http's chunked reader takes them.
func TestChunkSize(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want int64
		ok   bool
	}{
		{"5\r", 5, true},
		{"1aF;name=value\r", 0x1af, true},
		{"5 \t\r", 5, true},
		{"5 ;ext\r", 0, false}, // whitespace before the extension: net/http refuses it
		{" 5\r", 0, false},
		{"5", 0, false},     // bare LF
		{"5\r\r", 0, false}, // a CR inside
		{"+5\r", 0, false},  // a sign
		{"\r", 0, false},    // no digits
		{"0000000000000010\r", 16, true},
		{"00000000000000010\r", 0, false}, // 17 digits
		{"ffffffffffffffff\r", 1<<63 - 1, true},
	} {
		var excess int64
		got, err := chunkSize([]byte(tc.raw), &excess)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("chunkSize(%q) = %d, %v; want %d, ok %v", tc.raw, got, err, tc.want, tc.ok)
		}
	}
	// Many one-byte chunks with long extensions: net/http's framing
	// account refuses them once the excess passes 16 KiB.
	var excess int64
	line := []byte("1;" + string(make([]byte, 1000)) + "\r")
	for i := range line[2 : len(line)-1] {
		line[2+i] = 'e'
	}
	var err error
	for i := 0; i < 20 && err == nil; i++ {
		_, err = chunkSize(line, &excess)
	}
	if !errors.Is(err, errMalformed) {
		t.Errorf("20 chunks of 1 byte with 1000-byte extensions: %v, want refused", err)
	}
}

// A chunked response whose trailer ends the response is complete at its
// blank line: the parser does not wait for bytes past it on a connection
// that stays open (a keep-alive server waiting for the next request).
func TestTrailerNoWait(t *testing.T) {
	for _, resp := range []string{
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Trailer: 1\r\nX-Other: 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
	} {
		client, server := net.Pipe()
		go func() { server.Write([]byte(resp)) }() // and never closes
		type result struct {
			r   h1Response
			err error
		}
		done := make(chan result, 1)
		go func() {
			r, _, err := readH1Response(bufio.NewReaderSize(client, h1BufSize), false, false, nil, nil)
			done <- result{r, err}
		}()
		select {
		case got := <-done:
			if got.err != nil || got.r.status != 200 {
				t.Errorf("%q: status %d, %v", resp, got.r.status, got.err)
			}
		case <-time.After(30 * time.Second): // a hang, not a slow machine
			t.Errorf("%q: the parser waits for bytes past the response", resp)
		}
		client.Close()
		server.Close()
	}
}
