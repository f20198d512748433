package openloop

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
)

// h1Stream parses one HTTP/1.1 response from bytes as they arrive (the
// event loop's counterpart of readH1Response): feed it what was read, as
// often as needed, until done.
type h1Stream struct {
	head, samples bool
	prefix        []byte // keeps the body's start of a non-2xx response
	// sampled are the statuses whose sample the recorder holds already:
	// a response of one keeps neither headers nor body (nil: every
	// non-2xx response keeps them).
	sampled *statusSet

	state   streamState
	resp    h1Response
	keep    bool  // headers and body prefix of this response are kept
	remain  int64 // body bytes left (Content-Length), or of the current chunk
	kept    int
	inHead  bool  // the status line was read, headers follow
	headN   int   // bytes of this head so far
	clen    int64 // Content-Length, −1 when none
	chunked bool
	interim int   // 1xx responses skipped
	excess  int64 // net/http's chunk framing account (chunkSize)
	trail   int   // trailer bytes so far
	seen    bool  // a byte of the response arrived (resp.n counts whole lines only)
	scanned int   // bytes of the current partial line already searched for its LF
}

type streamState int

const (
	stHead         streamState = iota // status line and headers, waiting for the blank line
	stBody                            // Content-Length body
	stUntilClose                      // body delimited by the connection's end
	stChunkSize                       // a chunk-size line
	stChunkData                       // chunk data
	stChunkEnd                        // the CRLF after chunk data
	stTrailerStart                    // after the last chunk: no trailer, or where it ends
	stTrailer                         // trailer lines after the last chunk
	stDone
)

// reset prepares the stream for the next response.
func (p *h1Stream) reset(head, samples bool, prefix []byte, sampled *statusSet) {
	*p = h1Stream{head: head, samples: samples, prefix: prefix, sampled: sampled}
}

// statusSet is a set of status codes (0 to 1023; parseStatusLine reads
// three digits).
type statusSet [16]uint64

func (s *statusSet) has(code int) bool {
	return code >= 0 && code < 1024 && s[code>>6]&(1<<(code&63)) != 0
}

func (s *statusSet) add(code int) {
	if code >= 0 && code < 1024 {
		s[code>>6] |= 1 << (code & 63)
	}
}

// syncStatusSet is a statusSet that concurrent workers share.
type syncStatusSet [16]atomic.Uint64

func (s *syncStatusSet) has(code int) bool {
	return code >= 0 && code < 1024 && s[code>>6].Load()&(1<<(code&63)) != 0
}

func (s *syncStatusSet) add(code int) {
	if code >= 0 && code < 1024 && !s.has(code) {
		s[code>>6].Or(1 << (code & 63))
	}
}

// sampledSet is the statuses whose later responses the workers need not
// keep (the recorder holds their sample), or nil with retries on: a retry
// reads Retry-After from every response.
func (e *Engine) sampledSet() *syncStatusSet {
	if e.rt != nil {
		return nil
	}
	return &e.sampled
}

func (p *h1Stream) done() bool { return p.state == stDone }

// feed consumes what it can of b and returns how much; when the response
// is complete, done() is true and the rest of b belongs to the next one.
func (p *h1Stream) feed(b []byte) (int, error) {
	p.seen = p.seen || len(b) > 0
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
	case stTrailerStart:
		skip, lines, _, err := trailerStart(b, &p.scanned)
		switch {
		case err != nil:
			return 0, err
		case skip > 0:
			p.state, p.scanned = stDone, 0
			return skip, nil
		case lines:
			p.state, p.scanned = stTrailer, 0
			return p.step(b)
		}
		return 0, nil
	case stChunkSize, stChunkEnd, stTrailer:
		limit := h1MaxChunkLine
		if p.state == stTrailer {
			limit = h1TrailerWindow - p.trail
		}
		i := p.lineEnd(b)
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
		return i + 1, p.chunkLine(b[:i])
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

// chunkLine takes a chunk-size line, the line after a chunk's data, or a
// trailer line (raw: before its LF).
func (p *h1Stream) chunkLine(raw []byte) error {
	switch p.state {
	case stChunkSize:
		size, err := chunkSize(raw, &p.excess)
		if err != nil {
			return err
		}
		if size == 0 {
			p.state = stTrailerStart
		} else {
			p.state, p.remain = stChunkData, size
		}
	case stChunkEnd:
		if err := chunkEnd(raw); err != nil {
			return err
		}
		p.state = stChunkSize
	case stTrailer:
		line := bytes.TrimSuffix(raw, []byte("\r"))
		if len(line) == 0 {
			p.state = stDone
			return nil
		}
		return checkTrailerLine(line, p.trail == len(raw)+1)
	}
	return nil
}

// stepHead parses one line of the status line and headers as soon as it
// is complete (so only a partial line waits in the connection's buffer),
// and at the blank line decides how the body is framed; 1xx responses are
// skipped. The lines of one head share H1MaxHeaderBytes, as in readLine.
func (p *h1Stream) stepHead(b []byte) (int, error) {
	limit := H1MaxHeaderBytes - p.headN
	i := p.lineEnd(b)
	if i < 0 {
		if len(b) > limit {
			return 0, errTooLong
		}
		return 0, nil
	}
	if i+1 > limit {
		return 0, errTooLong
	}
	p.headN += i + 1
	line := bytes.TrimSuffix(b[:i], []byte("\r"))
	if !p.inHead {
		status, minor, err := parseStatusLine(line)
		if err != nil {
			return 0, err
		}
		p.resp.startHead(status, minor)
		p.keep = p.samples && (status < 200 || status > 299) && (p.sampled == nil || !p.sampled.has(status))
		if p.keep {
			p.resp.header = http.Header{}
		}
		p.clen, p.chunked, p.inHead = -1, false, true
		return i + 1, nil
	}
	if len(line) > 0 {
		return i + 1, applyHeader(line, &p.resp, p.keep, &p.clen, &p.chunked)
	}
	p.inHead, p.headN = false, 0
	r := &p.resp
	if err := r.endHead(p.chunked); err != nil {
		return 0, err
	}
	switch {
	case r.status >= 100 && r.status <= 199 && r.status != 101:
		if p.interim++; p.interim > h1Max1xx {
			return 0, fmt.Errorf("%w: more than %d interim responses", errMalformed, h1Max1xx)
		}
		p.keep = false // interim: the final response follows
		return i + 1, nil
	case r.status == 101:
		return 0, fmt.Errorf("%w: unexpected 101 Switching Protocols", errMalformed)
	case p.head || r.status == 204 || r.status == 304:
		p.state = stDone
	case p.chunked:
		p.state = stChunkSize
	case p.clen == 0:
		p.state = stDone
	case p.clen > 0:
		p.state, p.remain = stBody, p.clen
	default:
		r.close = true
		p.state = stUntilClose
	}
	if !p.keep {
		p.prefix = nil
	}
	return i + 1, nil
}

// lineEnd is the index of the LF that ends the line at the start of b, or
// −1; bytes searched by an earlier call for the same line are not searched
// again (a line dripped a byte at a time costs linear time, not quadratic).
func (p *h1Stream) lineEnd(b []byte) int {
	from := min(p.scanned, len(b))
	i := bytes.IndexByte(b[from:], '\n')
	if i < 0 {
		p.scanned = len(b)
		return -1
	}
	p.scanned = 0
	return from + i
}

// eof tells the stream the connection ended: the response is complete if
// its body ran to the end, else the exchange failed.
func (p *h1Stream) eof() error {
	if p.state == stUntilClose {
		p.state = stDone
		return nil
	}
	if !p.seen {
		return io.EOF
	}
	return io.ErrUnexpectedEOF
}
