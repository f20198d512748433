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
}

// Limits of the response parser: a server that exceeds them is answered
// with an error, not with unbounded memory.
const (
	h1BufSize    = 8 << 10 // read buffer per connection: also the longest header line
	h1MaxHeaders = 200     // header lines per response
)

var errMalformed = errors.New("malformed HTTP response")

// readH1Response reads one HTTP/1.1 response (skipping 1xx interim
// responses) from br, and reads and discards its body, keeping up to
// len(bodyPrefix) bytes of it in bodyPrefix when keepBody is set. It
// returns the number of body bytes kept. head is true for a HEAD request
// (no body follows whatever the headers say). With samples set, the
// headers and body prefix of a non-2xx response are kept (a 2xx response
// costs no allocation).
func readH1Response(br *bufio.Reader, head, samples bool, bodyPrefix []byte) (h1Response, int, error) {
	var r h1Response
	for {
		r.header, r.serverTime = nil, nil // an interim response's do not carry over
		line, err := readLine(br, &r)
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
		clen, chunked, err := readHeaders(br, &r, keep)
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

// readLine returns one line without its CRLF (or LF); the slice is valid
// until the next read from br.
func readLine(br *bufio.Reader, r *h1Response) ([]byte, error) {
	line, err := br.ReadSlice('\n')
	r.n += len(line)
	if err == bufio.ErrBufferFull {
		return nil, fmt.Errorf("%w: line longer than %d bytes", errMalformed, br.Size())
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
func readHeaders(br *bufio.Reader, r *h1Response, keep bool) (clen int64, chunked bool, err error) {
	clen = -1
	if keep {
		r.header = http.Header{}
	}
	for i := 0; ; i++ {
		if i > h1MaxHeaders {
			return 0, false, fmt.Errorf("%w: more than %d header lines", errMalformed, h1MaxHeaders)
		}
		line, err := readLine(br, r)
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
func applyHeader(line []byte, r *h1Response, keep bool, clen *int64, chunked *bool) error {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return fmt.Errorf("%w: bad header line %q", errMalformed, truncateBytes(line, 40))
	}
	name, value := line[:colon], bytes.TrimSpace(line[colon+1:])
	switch {
	case asciiEqualFold(name, "content-length"):
		n, err := strconv.ParseInt(string(value), 10, 64)
		if err != nil || n < 0 || (*clen >= 0 && *clen != n) {
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
		r.serverTime = append(r.serverTime, value...)
	}
	if keep {
		r.header.Add(string(name), string(value))
	}
	return nil
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
		line, err := readLine(br, r)
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
			for i := 0; ; i++ {
				if i > h1MaxHeaders {
					return kept, fmt.Errorf("%w: too many trailers", errMalformed)
				}
				t, err := readLine(br, r)
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
		if crlf, err := readLine(br, r); err != nil || len(crlf) != 0 {
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
