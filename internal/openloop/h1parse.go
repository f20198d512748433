package openloop

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// h1Response is what the HTTP/1.1 client needs from a response.
type h1Response struct {
	status     int
	close      bool // the connection cannot be reused after this response
	serverTime []byte
	// header is filled only when the caller asked for it (samples).
	header http.Header
	// n is the number of response bytes consumed (0 means none arrived).
	n int
	// prev is the kind of the last header field, for obs-fold lines.
	prev foldPrev
	// lastName is the last header field's name when header is kept.
	lastName string
	// keptN is the bytes of names and values kept in header.
	keptN int
}

// foldPrev is what an obs-fold continuation line extends.
type foldPrev int

const (
	foldNone foldPrev = iota // no field yet: a leading continuation is malformed
	foldOther
	foldServerTiming
)

// Limits of the response parsers (blocking and stream alike, and net/http's
// Transport.MaxResponseHeaderBytes): a server that exceeds them is answered
// with an error, not with unbounded memory. The header limit is net/http's
// server default (1 MB), which real servers' headers fit.
const (
	h1BufSize        = 8 << 10 // read buffer per connection, bytes
	H1MaxHeaderBytes = 1 << 20 // status line and headers of one response, or its trailers, bytes
	h1MaxChunkLine   = 8 << 10 // a chunk-size line with its extensions, bytes
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
// costs no allocation).
func readH1Response(br *bufio.Reader, head, samples bool, bodyPrefix []byte) (h1Response, int, error) {
	var r h1Response
	for interim := 0; ; interim++ {
		if interim > h1Max1xx {
			return r, 0, fmt.Errorf("%w: more than %d interim responses", errMalformed, h1Max1xx)
		}
		r.header, r.serverTime, r.prev, r.keptN, r.lastName = nil, nil, foldNone, 0, "" // an interim response's do not carry over
		budget := H1MaxHeaderBytes
		line, err := readLine(br, &r, &budget)
		if err != nil {
			return r, 0, err
		}
		status, minor, err := parseStatusLine(line)
		if err != nil {
			return r, 0, err
		}
		r.status = status
		r.close = minor == 0 // HTTP/1.0 closes unless it says keep-alive
		keep := samples && (status < 200 || status > 299)
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
	line = line[:len(line)-1]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, nil
}

// parseStatusLine reads "HTTP/1.x SSS reason".
func parseStatusLine(line []byte) (status, minor int, err error) {
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) || line[8] != ' ' {
		return 0, 0, fmt.Errorf("%w: bad status line %q", errMalformed, truncateBytes(line, 40))
	}
	minor = int(line[7] - '0')
	if minor < 0 || minor > 9 {
		return 0, 0, fmt.Errorf("%w: bad HTTP version in %q", errMalformed, truncateBytes(line, 40))
	}
	s := line[9:12]
	if s[0] < '1' || s[0] > '5' || s[1] < '0' || s[1] > '9' || s[2] < '0' || s[2] > '9' || (len(line) > 12 && line[12] != ' ') {
		return 0, 0, fmt.Errorf("%w: bad status code in %q", errMalformed, truncateBytes(line, 40))
	}
	return int(s[0]-'0')*100 + int(s[1]-'0')*10 + int(s[2]-'0'), minor, nil
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
			return clen, chunked, nil
		}
		if err := applyHeader(line, r, keep, &clen, &chunked); err != nil {
			return 0, false, err
		}
	}
}

// applyHeader interprets one header line for the client: framing
// (Content-Length, Transfer-Encoding), Connection, Server-Timing, and the
// whole header when keep is set.
// An obs-fold line (one starting with a space or tab) continues the
// previous field: it is joined to it with a space (RFC 9112 §5.2).
func applyHeader(line []byte, r *h1Response, keep bool, clen *int64, chunked *bool) error {
	if line[0] == ' ' || line[0] == '\t' {
		return applyFold(bytes.TrimSpace(line), r, keep)
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return fmt.Errorf("%w: bad header line %q", errMalformed, truncateBytes(line, 40))
	}
	name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
	r.prev = foldOther
	switch {
	case asciiEqualFold(name, "content-length"):
		n, err := parseContentLength(value)
		if err != nil || (*clen >= 0 && *clen != n) {
			return fmt.Errorf("%w: bad Content-Length %q", errMalformed, truncateBytes(value, 40))
		}
		*clen = n
	case asciiEqualFold(name, "transfer-encoding"):
		if !asciiEqualFold(lastToken(value), "chunked") {
			return fmt.Errorf("%w: unsupported Transfer-Encoding %q", errMalformed, truncateBytes(value, 40))
		}
		*chunked = true
	case asciiEqualFold(name, "connection"):
		if containsTokenFold(value, "close") {
			r.close = true
		} else if containsTokenFold(value, "keep-alive") {
			r.close = false
		}
	case asciiEqualFold(name, "server-timing"):
		// Several fields are one comma-separated list (RFC 9110 §5.3).
		if len(r.serverTime) > 0 {
			r.serverTime = append(r.serverTime, ',')
		}
		r.serverTime = append(r.serverTime, value...)
		r.prev = foldServerTiming
	}
	if keep {
		r.lastName = ""
		if r.keptN += len(name) + len(value); r.keptN <= h1MaxKeptHeader {
			r.lastName = http.CanonicalHeaderKey(string(name))
			r.header.Add(r.lastName, string(value))
		}
	}
	return nil
}

// applyFold joins an obs-fold continuation to the previous field.
func applyFold(value []byte, r *h1Response, keep bool) error {
	switch r.prev {
	case foldNone:
		return fmt.Errorf("%w: continuation line before any header", errMalformed)
	case foldServerTiming:
		r.serverTime = append(append(r.serverTime, ' '), value...)
	}
	if r.keptN += len(value) + 1; keep && r.lastName != "" && r.keptN <= h1MaxKeptHeader {
		vs := r.header[r.lastName]
		vs[len(vs)-1] += " " + string(value)
	}
	return nil
}

// parseContentLength accepts digits only (no sign, no spaces inside).
func parseContentLength(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 18 {
		return 0, fmt.Errorf("%w: bad Content-Length", errMalformed)
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: bad Content-Length", errMalformed)
		}
		n = n*10 + int64(c-'0')
	}
	return n, nil
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
	for {
		budget := h1MaxChunkLine
		line, err := readLine(br, r, &budget)
		if err != nil {
			return kept, unexpected(err)
		}
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i] // chunk extensions
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return kept, fmt.Errorf("%w: bad chunk size %q", errMalformed, truncateBytes(line, 40))
		}
		if size == 0 {
			// Trailers, then the empty line.
			budget := H1MaxHeaderBytes
			for {
				t, err := readLine(br, r, &budget)
				if err != nil {
					return kept, unexpected(err)
				}
				if len(t) == 0 {
					return kept, nil
				}
			}
		}
		k, err := discardN(br, r, size, prefix[kept:])
		kept += k
		if err != nil {
			return kept, err
		}
		budget = h1MaxChunkLine
		if crlf, err := readLine(br, r, &budget); err != nil || len(crlf) != 0 {
			if err == nil {
				err = fmt.Errorf("%w: chunk not followed by CRLF", errMalformed)
			}
			return kept, unexpected(err)
		}
	}
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

func asciiEqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c := b[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != s[i] {
			return false
		}
	}
	return true
}

// containsTokenFold reports whether the comma-separated list v has token t.
func containsTokenFold(v []byte, t string) bool {
	for len(v) > 0 {
		var tok []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			tok, v = v, nil
		}
		if asciiEqualFold(bytes.TrimSpace(tok), t) {
			return true
		}
	}
	return false
}

func lastToken(v []byte) []byte {
	if i := bytes.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return bytes.TrimSpace(v)
}

func truncateBytes(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}
