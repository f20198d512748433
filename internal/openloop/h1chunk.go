package openloop

import (
	"bytes"
	"fmt"
	"math"
)

// Chunked framing as net/http's client reads it (net/http/internal's
// chunked reader, and its body's trailer), shared by the blocking and the
// streaming parser, so that one server's bytes are one outcome in every
// client mode.
const (
	// h1MaxChunkLine bounds a chunk-size line with its CRLF, bytes
	// (net/http reads it within its 4 KiB connection buffer).
	h1MaxChunkLine = 4 << 10
	// h1MaxChunkExcess bounds the framing bytes beyond 16 per chunk and
	// the chunks' own sizes (net/http's guard against a sender of many
	// tiny chunks with long extensions).
	h1MaxChunkExcess = 16 << 10
	// h1TrailerWindow: the trailer section's CRLF CRLF must end within
	// this many bytes of its start (net/http peeks for it within its
	// buffer before reading the trailer).
	h1TrailerWindow = 4 << 10
)

// chunkSize parses a chunk-size line, raw being its bytes before the LF:
// it ends in CR and has no other; extensions after ';' are ignored; the
// size is 1 to 16 hex digits. excess carries net/http's framing account
// from chunk to chunk. A size past 2^63 − 1 is returned as that (its data
// never all arrives).
func chunkSize(raw []byte, excess *int64) (int64, error) {
	if len(raw) == 0 || raw[len(raw)-1] != '\r' || bytes.IndexByte(raw[:len(raw)-1], '\r') >= 0 {
		return 0, fmt.Errorf("%w: chunk-size line not ended by CRLF", errMalformed)
	}
	line := raw[:len(raw)-1]
	*excess += int64(len(line)) + 2
	for len(line) > 0 && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
		line = line[:len(line)-1]
	}
	line, _, _ = bytes.Cut(line, []byte(";"))
	if len(line) == 0 || len(line) > 16 {
		return 0, fmt.Errorf("%w: bad chunk size %q", errMalformed, truncateBytes(line, 40))
	}
	var n uint64
	for _, c := range line {
		var d byte
		switch {
		case '0' <= c && c <= '9':
			d = c - '0'
		case 'a' <= c && c <= 'f':
			d = c - 'a' + 10
		case 'A' <= c && c <= 'F':
			d = c - 'A' + 10
		default:
			return 0, fmt.Errorf("%w: bad chunk size %q", errMalformed, truncateBytes(line, 40))
		}
		n = n<<4 | uint64(d)
	}
	// net/http's arithmetic, int64 wrap-around included.
	*excess -= 16 + 2*int64(n)
	*excess = max(*excess, 0)
	if *excess > h1MaxChunkExcess {
		return 0, fmt.Errorf("%w: chunked encoding with too much non-data", errMalformed)
	}
	return int64(min(n, math.MaxInt64)), nil
}

// chunkEnd checks the line after a chunk's data (raw: before its LF): an
// empty line ended by CRLF.
func chunkEnd(raw []byte) error {
	if len(raw) != 1 || raw[0] != '\r' {
		return fmt.Errorf("%w: chunk not followed by CRLF", errMalformed)
	}
	return nil
}

// trailerStart decides, from the bytes b buffered at the start of the
// trailer section (after the last chunk's line), how to read it: with
// CRLF first, there is none (skip 2); else its CRLF CRLF must end within
// h1TrailerWindow bytes, and then its lines follow (skip 0, lines true).
// need: more bytes are needed to decide. *scanned carries how much of b
// an earlier call searched, so that bytes arriving one at a time cost
// linear time.
func trailerStart(b []byte, scanned *int) (skip int, lines, need bool, err error) {
	switch {
	case len(b) >= 2 && b[0] == '\r' && b[1] == '\n':
		return 2, false, false, nil
	case len(b) < 2:
		return 0, false, true, nil
	}
	w := b[:min(len(b), h1TrailerWindow)]
	from := max(0, min(*scanned, len(w))-3)
	if bytes.Contains(w[from:], []byte("\r\n\r\n")) {
		return 0, true, false, nil
	}
	*scanned = len(w)
	if len(b) >= h1TrailerWindow {
		return 0, false, false, fmt.Errorf("%w: trailer section not ended within %d bytes", errMalformed, h1TrailerWindow)
	}
	return 0, false, true, nil
}
