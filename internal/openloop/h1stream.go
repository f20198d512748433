package openloop

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
)

// h1Stream parses one HTTP/1.1 response from bytes as they arrive (the
// event loop's counterpart of readH1Response): feed it what was read, as
// often as needed, until done.
type h1Stream struct {
	head, samples bool
	prefix        []byte // keeps the body's start of a non-2xx response

	state   streamState
	resp    h1Response
	keep    bool  // headers and body prefix of this response are kept
	remain  int64 // body bytes left (Content-Length), or of the current chunk
	kept    int
	scan    int // header bytes already searched for the blank line
	interim int // 1xx responses skipped
	trail   int // trailer bytes so far
}

type streamState int

const (
	stHead       streamState = iota // status line and headers, waiting for the blank line
	stBody                          // Content-Length body
	stUntilClose                    // body delimited by the connection's end
	stChunkSize                     // a chunk-size line
	stChunkData                     // chunk data
	stChunkEnd                      // the CRLF after chunk data
	stTrailer                       // trailer lines after the last chunk
	stDone
)

// reset prepares the stream for the next response.
func (p *h1Stream) reset(head, samples bool, prefix []byte) {
	*p = h1Stream{head: head, samples: samples, prefix: prefix}
}

func (p *h1Stream) done() bool { return p.state == stDone }

// feed consumes what it can of b and returns how much; when the response
// is complete, done() is true and the rest of b belongs to the next one.
func (p *h1Stream) feed(b []byte) (int, error) {
	used := 0
	for used < len(b) && p.state != stDone {
		n, err := p.step(b[used:])
		used += n
		p.resp.n += n
		if err != nil {
			return used, err
		}
		if n == 0 {
			break // needs more bytes
		}
	}
	return used, nil
}

// step consumes one unit (a header block, a line, or body bytes); 0 means
// more bytes are needed.
func (p *h1Stream) step(b []byte) (int, error) {
	switch p.state {
	case stHead:
		return p.stepHead(b)
	case stBody:
		n := int(min(int64(len(b)), p.remain))
		p.keepBody(b[:n])
		if p.remain -= int64(n); p.remain == 0 {
			p.state = stDone
		}
		return n, nil
	case stUntilClose:
		p.keepBody(b)
		return len(b), nil
	case stChunkSize, stChunkEnd, stTrailer:
		limit := h1MaxChunkLine
		if p.state == stTrailer {
			limit = H1MaxHeaderBytes - p.trail
		}
		i := bytes.IndexByte(b, '\n')
		if i < 0 {
			if len(b) > limit {
				return 0, errTooLong
			}
			return 0, nil
		}
		if i+1 > limit {
			return 0, errTooLong
		}
		if p.state == stTrailer {
			p.trail += i + 1
		}
		line := bytes.TrimSuffix(b[:i], []byte("\r"))
		return i + 1, p.chunkLine(line)
	case stChunkData:
		n := int(min(int64(len(b)), p.remain))
		p.keepBody(b[:n])
		if p.remain -= int64(n); p.remain == 0 {
			p.state = stChunkEnd
		}
		return n, nil
	}
	return 0, nil
}

func (p *h1Stream) keepBody(b []byte) {
	if p.keep && p.kept < len(p.prefix) {
		p.kept += copy(p.prefix[p.kept:], b)
	}
}

func (p *h1Stream) chunkLine(line []byte) error {
	switch p.state {
	case stChunkSize:
		if i := bytes.IndexByte(line, ';'); i >= 0 {
			line = line[:i]
		}
		size, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || size < 0 {
			return fmt.Errorf("%w: bad chunk size %q", errMalformed, truncateBytes(line, 40))
		}
		if size == 0 {
			p.state = stTrailer
		} else {
			p.state, p.remain = stChunkData, size
		}
	case stChunkEnd:
		if len(line) != 0 {
			return fmt.Errorf("%w: chunk not followed by CRLF", errMalformed)
		}
		p.state = stChunkSize
	case stTrailer:
		if len(line) == 0 {
			p.state = stDone
		}
	}
	return nil
}

// stepHead parses a complete header block (skipping 1xx responses).
func (p *h1Stream) stepHead(b []byte) (int, error) {
	// Resume the search where the last one stopped (a slow drip must not
	// rescan the whole block on every byte).
	from := max(0, p.scan-2)
	end := headEnd(b[from:])
	if end >= 0 {
		end += from
	}
	if end < 0 || end > H1MaxHeaderBytes {
		if end > H1MaxHeaderBytes || len(b) > H1MaxHeaderBytes {
			return 0, errTooLong
		}
		p.scan = len(b)
		return 0, nil
	}
	p.scan = 0
	block := b[:end]
	lines := 0
	var clen int64 = -1
	chunked := false
	var r h1Response
	for len(block) > 0 {
		i := bytes.IndexByte(block, '\n')
		var line []byte
		if i < 0 {
			line, block = block, nil
		} else {
			line, block = block[:i], block[i+1:]
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		if lines == 0 {
			status, minor, err := parseStatusLine(line)
			if err != nil {
				return 0, err
			}
			r.status, r.close = status, minor == 0
			p.keep = p.samples && (status < 200 || status > 299)
			if p.keep {
				r.header = http.Header{}
			}
		} else if len(line) > 0 {
			if err := applyHeader(line, &r, p.keep, &clen, &chunked); err != nil {
				return 0, err
			}
		}
		lines++
	}
	r.n = p.resp.n
	p.resp = r
	switch {
	case r.status >= 100 && r.status <= 199 && r.status != 101:
		if p.interim++; p.interim > h1Max1xx {
			return 0, fmt.Errorf("%w: more than %d interim responses", errMalformed, h1Max1xx)
		}
		p.keep = false // interim: the final response follows
		return end, nil
	case r.status == 101:
		return 0, fmt.Errorf("%w: unexpected 101 Switching Protocols", errMalformed)
	case p.head || r.status == 204 || r.status == 304:
		p.state = stDone
	case chunked:
		p.state = stChunkSize
	case clen == 0:
		p.state = stDone
	case clen > 0:
		p.state, p.remain = stBody, clen
	default:
		p.resp.close = true
		p.state = stUntilClose
	}
	if !p.keep {
		p.prefix = nil
	}
	return end, nil
}

// headEnd is the length of the header block at the start of b, including
// its blank line, or −1 when it is not complete yet.
func headEnd(b []byte) int {
	for i := 0; i < len(b); i++ {
		if b[i] != '\n' {
			continue
		}
		if i+1 < len(b) && b[i+1] == '\n' {
			return i + 2
		}
		if i+2 < len(b) && b[i+1] == '\r' && b[i+2] == '\n' {
			return i + 3
		}
	}
	return -1
}

// eof tells the stream the connection ended: the response is complete if
// its body ran to the end, else the exchange failed.
func (p *h1Stream) eof() error {
	if p.state == stUntilClose {
		p.state = stDone
		return nil
	}
	if p.resp.n == 0 {
		return io.EOF
	}
	return io.ErrUnexpectedEOF
}
