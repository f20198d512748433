package openloop

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
)

// Limits of the response parsers (blocking and stream alike, and net/http's
// Transport.MaxResponseHeaderBytes): a server that exceeds them is answered
// with an error, not with unbounded memory. The header limit is net/http's
// server default (1 MB), which real servers' headers fit. The chunked
// framing's limits are net/http's own (h1chunk.go).
const (
	h1BufSize        = 8 << 10 // read buffer per connection, bytes
	H1MaxHeaderBytes = 1 << 20 // status line and headers of one response, bytes
	h1Max1xx         = 5       // interim responses before the final one (net/http's limit)
	// h1MaxKeptHeader bounds the header names and values of a non-2xx
	// response kept for its sample, bytes (fields past it are parsed but
	// not kept; a sample shows 20 fields of 200 bytes at most).
	h1MaxKeptHeader = 16 << 10
)

var errMalformed = errors.New("malformed HTTP response")

// errTooLong is a header block, trailer block or chunk line over its limit.
var errTooLong = fmt.Errorf("%w: header, trailer or chunk line over the size limit", errMalformed)

// readH1Response reads one HTTP/1.1 response (skipping 1xx interim
// responses) from br, and reads and discards its body, keeping up to
// len(bodyPrefix) bytes of it in bodyPrefix when keepBody is set. It
// returns the number of body bytes kept. head is true for a HEAD request
// (no body follows whatever the headers say). With samples set, the
// headers and body prefix of a non-2xx response are kept (a 2xx response
// costs no allocation), unless its status is in sampled.
func readH1Response(br *bufio.Reader, head, samples bool, sampled *syncStatusSet, bodyPrefix []byte) (h1Response, int, error) {
	var r h1Response
	for interim := 0; ; interim++ {
		if interim > h1Max1xx {
			return r, 0, fmt.Errorf("%w: more than %d interim responses", errMalformed, h1Max1xx)
		}
		budget := H1MaxHeaderBytes
		line, err := readLine(br, &r, &budget)
		if err != nil {
			return r, 0, err
		}
		status, minor, err := parseStatusLine(line)
		if err != nil {
			return r, 0, err
		}
		r.startHead(status, minor) // HTTP/1.0 closes unless it says keep-alive
		keep := samples && (status < 200 || status > 299) && (sampled == nil || !sampled.has(status))
		if !keep {
			bodyPrefix = nil
		}
		clen, chunked, err := readHeaders(br, &r, keep, &budget)
		if err != nil {
			return r, 0, err
		}
		if status >= 100 && status <= 199 && status != 101 {
			continue // interim response; the final one follows
		}
		if status == 101 {
			return r, 0, fmt.Errorf("%w: unexpected 101 Switching Protocols", errMalformed)
		}
		noBody := head || status == 204 || status == 304
		if noBody {
			return r, 0, nil
		}
		var kept int
		switch {
		case chunked:
			kept, err = discardChunked(br, &r, bodyPrefix)
		case clen >= 0:
			kept, err = discardN(br, &r, clen, bodyPrefix)
		default:
			// No length: the body runs until the server closes the connection.
			r.close = true
			kept, err = discardToEOF(br, &r, bodyPrefix)
		}
		return r, kept, err
	}
}

// readLine returns one line without its CRLF (or LF) and takes its length
// (with the LF) from *budget, failing when it would go below zero; the
// slice is valid until the next read from br. A line longer than br's
// buffer is copied (the only allocation, and only for such lines).
func readLine(br *bufio.Reader, r *h1Response, budget *int) ([]byte, error) {
	line, err := readRawLine(br, r, budget)
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, err
}

// readRawLine is readLine keeping the line's CR, if any.
func readRawLine(br *bufio.Reader, r *h1Response, budget *int) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	r.n += len(line)
	for err == bufio.ErrBufferFull && len(line) <= *budget {
		line = append([]byte(nil), line...)
		var more []byte
		more, err = br.ReadSlice('\n')
		r.n += len(more)
		line = append(line, more...)
	}
	if *budget -= len(line); *budget < 0 {
		return nil, errTooLong
	}
	if err != nil {
		if err == io.EOF && r.n > 0 {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return line[:len(line)-1], nil
}

// parseStatusLine reads "HTTP/x.y SSS reason"; as net/http, it takes
// more than one space before the code, and any one-digit version, which
// only an interim (1xx) response may have other than 1.x (net/http skips
// those whatever their version; a final one must be HTTP/1.x).
func parseStatusLine(line []byte) (status, minor int, err error) {
	proto, rest, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(proto) != 8 || !bytes.HasPrefix(proto, []byte("HTTP/")) || proto[6] != '.' {
		return 0, 0, fmt.Errorf("%w: bad status line %q", errMalformed, truncateBytes(line, 40))
	}
	major, minor := int(proto[5])-'0', int(proto[7])-'0'
	if major < 0 || major > 9 || minor < 0 || minor > 9 {
		return 0, 0, fmt.Errorf("%w: bad HTTP version in %q", errMalformed, truncateBytes(line, 40))
	}
	s, _, _ := bytes.Cut(bytes.TrimLeft(rest, " "), []byte(" "))
	if len(s) != 3 || s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' {
		return 0, 0, fmt.Errorf("%w: bad status code in %q", errMalformed, truncateBytes(line, 40))
	}
	status = int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0')
	if major != 1 && (status < 100 || status > 199 || status == 101) {
		return 0, 0, fmt.Errorf("%w: bad HTTP version in %q", errMalformed, truncateBytes(line, 40))
	}
	return status, minor, nil
}

// readHeaders reads the header block; clen is -1 when no Content-Length.
func readHeaders(br *bufio.Reader, r *h1Response, keep bool, budget *int) (clen int64, chunked bool, err error) {
	clen = -1
	if keep {
		r.header = http.Header{}
	}
	for {
		line, err := readLine(br, r, budget)
		if err != nil {
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return 0, false, err
		}
		if len(line) == 0 {
			return clen, chunked, r.endHead(chunked)
		}
		if err := applyHeader(line, r, keep, &clen, &chunked); err != nil {
			return 0, false, err
		}
	}
}

func discardN(br *bufio.Reader, r *h1Response, n int64, prefix []byte) (int, error) {
	kept := 0
	if len(prefix) > 0 && n > 0 {
		m := min(int64(len(prefix)), n)
		k, err := io.ReadFull(br, prefix[:m])
		kept, r.n, n = k, r.n+k, n-int64(k)
		if err != nil {
			return kept, unexpected(err)
		}
	}
	for n > 0 {
		d, err := br.Discard(int(min(n, 1<<30)))
		r.n += d
		n -= int64(d)
		if err != nil {
			return kept, unexpected(err)
		}
	}
	return kept, nil
}

func discardToEOF(br *bufio.Reader, r *h1Response, prefix []byte) (int, error) {
	kept := 0
	if len(prefix) > 0 {
		k, err := io.ReadFull(br, prefix)
		kept, r.n = k, r.n+k
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			return kept, nil
		}
		if err != nil {
			return kept, err
		}
	}
	for {
		d, err := br.Discard(br.Size())
		r.n += d
		if err == io.EOF {
			return kept, nil
		}
		if err != nil {
			return kept, err
		}
	}
}

func discardChunked(br *bufio.Reader, r *h1Response, prefix []byte) (int, error) {
	kept := 0
	var excess int64
	for {
		budget := h1MaxChunkLine
		line, err := readRawLine(br, r, &budget)
		if err != nil {
			return kept, unexpected(err)
		}
		size, err := chunkSize(line, &excess)
		if err != nil {
			return kept, err
		}
		if size == 0 {
			return kept, readTrailer(br, r)
		}
		k, err := discardN(br, r, size, prefix[kept:])
		kept += k
		if err != nil {
			return kept, err
		}
		budget = h1MaxChunkLine
		line, err = readRawLine(br, r, &budget)
		if err != nil {
			return kept, unexpected(err)
		}
		if err := chunkEnd(line); err != nil {
			return kept, err
		}
	}
}

// readTrailer reads the trailer section after the last chunk: none (a
// CRLF), or fields ended by a blank line, once trailerStart has seen their
// end within its window.
func readTrailer(br *bufio.Reader, r *h1Response) error {
	scanned := 0
	for n := 2; ; {
		b, err := br.Peek(n)
		skip, lines, need, serr := trailerStart(b, &scanned)
		switch {
		case serr != nil:
			return serr
		case skip > 0:
			d, _ := br.Discard(skip)
			r.n += d
			return nil
		case lines:
			return readTrailerLines(br, r)
		case need && err != nil:
			return unexpected(err)
		}
		// What is buffered, else one byte more (the next read's worth
		// arrives): never wait for bytes a finished trailer need not have.
		n = br.Buffered()
		if n <= len(b) {
			n = len(b) + 1
		}
		n = min(n, h1TrailerWindow)
	}
}

// readTrailerLines reads trailer fields up to the blank line, checking
// their syntax.
func readTrailerLines(br *bufio.Reader, r *h1Response) error {
	budget := h1TrailerWindow
	for first := true; ; first = false {
		line, err := readLine(br, r, &budget)
		if err != nil {
			return unexpected(err)
		}
		if len(line) == 0 {
			return nil
		}
		if err := checkTrailerLine(line, first); err != nil {
			return err
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func truncateBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
