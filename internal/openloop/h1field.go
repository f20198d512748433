package openloop

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
)

// A response's head as the h1 and loop clients read it. The syntax and
// the framing rules are net/http's client's (net/textproto, net/http's
// readTransfer), so that one server's bytes are one outcome in every
// client mode (FuzzVerdictMatchesNetHTTP holds the parsers to it).

// h1Response is what the HTTP/1.1 client needs from a response.
type h1Response struct {
	status     int
	close      bool // the connection cannot be reused after this response
	http10     bool // an HTTP/1.0 response: Transfer-Encoding is ignored
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
	// clDigits is the first Content-Length's length: another must be the
	// same text (net/http compares the strings), so the same digits.
	clDigits int
	// trailerLast is the last element of the Trailer field being read (a
	// fold may still extend it); trailerBad: an element names a framing
	// field, which is an error once the body is chunked.
	trailerLast elemKind
	trailerBad  bool
}

// startHead readies r for the head whose status line was just read; an
// interim response's fields do not carry over.
func (r *h1Response) startHead(status, minor int) {
	*r = h1Response{status: status, close: minor == 0, http10: minor == 0, n: r.n}
}

// foldPrev is what an obs-fold continuation line extends.
type foldPrev int

const (
	foldNone foldPrev = iota // no field yet: a leading continuation is malformed
	foldOther
	foldServerTiming
	foldLength  // Content-Length: a fold with content spoils the number
	foldTE      // Transfer-Encoding: any fold spoils "chunked"
	foldTrailer // Trailer: its elements are checked
)

// applyHeader interprets one header line for the client: framing
// (Content-Length, Transfer-Encoding, Trailer), Connection, Server-Timing,
// and the whole header when keep is set.
// An obs-fold line (one starting with a space or tab) continues the
// previous field: it is joined to it with a space (RFC 9112 §5.2).
func applyHeader(line []byte, r *h1Response, keep bool, clen *int64, chunked *bool) error {
	if line[0] == ' ' || line[0] == '\t' {
		if !validFieldValue(line) {
			return badHeader(line)
		}
		return applyFold(trimOWS(line), r, keep)
	}
	r.endTrailerField()
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || !validFieldName(line[:colon]) || !validFieldValue(line[colon+1:]) {
		return badHeader(line)
	}
	name, value := line[:colon], trimOWS(line[colon+1:])
	r.prev = foldOther
	switch {
	case asciiEqualFold(name, "content-length"):
		n, err := parseContentLength(value)
		if err != nil || (*clen >= 0 && (*clen != n || r.clDigits != len(value))) {
			return fmt.Errorf("%w: bad Content-Length %q", errMalformed, truncateBytes(value, 40))
		}
		*clen, r.clDigits, r.prev = n, len(value), foldLength
	case asciiEqualFold(name, "transfer-encoding") && !r.http10:
		switch {
		case *chunked:
			return fmt.Errorf("%w: more than one Transfer-Encoding field", errMalformed)
		case !asciiEqualFold(value, "chunked"):
			return fmt.Errorf("%w: unsupported Transfer-Encoding %q", errMalformed, truncateBytes(value, 40))
		}
		*chunked, r.prev = true, foldTE
	case asciiEqualFold(name, "trailer"):
		r.trailerElems(value, false)
		r.prev = foldTrailer
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

func badHeader(line []byte) error {
	return fmt.Errorf("%w: bad header line %q", errMalformed, truncateBytes(line, 40))
}

// applyFold joins an obs-fold continuation to the previous field.
func applyFold(value []byte, r *h1Response, keep bool) error {
	switch r.prev {
	case foldNone:
		return fmt.Errorf("%w: continuation line before any header", errMalformed)
	case foldServerTiming:
		r.serverTime = append(append(r.serverTime, ' '), value...)
	case foldLength:
		if len(value) > 0 {
			return fmt.Errorf("%w: bad Content-Length (folded)", errMalformed)
		}
	case foldTE:
		return fmt.Errorf("%w: unsupported Transfer-Encoding (folded)", errMalformed)
	case foldTrailer:
		r.trailerElems(value, true)
	}
	if r.keptN += len(value) + 1; keep && r.lastName != "" && r.keptN <= h1MaxKeptHeader {
		vs := r.header[r.lastName]
		vs[len(vs)-1] += " " + string(value)
	}
	return nil
}

// endHead checks the head as a whole at its blank line: a chunked
// response's Trailer field must not name a framing field.
func (r *h1Response) endHead(chunked bool) error {
	r.endTrailerField()
	if chunked && r.trailerBad {
		return fmt.Errorf("%w: the Trailer field names Content-Length, Transfer-Encoding or Trailer", errMalformed)
	}
	return nil
}

// elemKind is what an element of a Trailer field's list is, trimmed.
type elemKind uint8

const (
	elemEmpty   elemKind = iota
	elemFraming          // Content-Length, Transfer-Encoding or Trailer
	elemOther
)

func kindOf(e []byte) elemKind {
	switch e = trimOWS(e); {
	case len(e) == 0:
		return elemEmpty
	case asciiEqualFold(e, "content-length"), asciiEqualFold(e, "transfer-encoding"), asciiEqualFold(e, "trailer"):
		return elemFraming
	}
	return elemOther
}

// trailerElems takes the comma-separated elements of a Trailer field's
// value, or of a fold (continued), whose first element joins the last one
// so far with a space: two non-empty parts make a name that is no framing
// field's. The last element waits for endTrailerField.
func (r *h1Response) trailerElems(v []byte, continued bool) {
	for i := 0; ; i++ {
		e, rest, more := bytes.Cut(v, []byte(","))
		k := kindOf(e)
		if i == 0 && continued {
			switch {
			case r.trailerLast == elemEmpty:
			case k == elemEmpty:
				k = r.trailerLast
			default:
				k = elemOther
			}
		}
		if !more {
			r.trailerLast = k
			return
		}
		r.trailerBad = r.trailerBad || k == elemFraming
		v = rest
	}
}

// endTrailerField judges the last element of a Trailer field once no
// fold can extend it.
func (r *h1Response) endTrailerField() {
	r.trailerBad = r.trailerBad || r.trailerLast == elemFraming
	r.trailerLast = elemEmpty
}

// checkTrailerLine checks a trailer field's syntax (the first line cannot
// be a continuation); trailers carry nothing the client uses.
func checkTrailerLine(line []byte, first bool) error {
	if line[0] == ' ' || line[0] == '\t' {
		if first || !validFieldValue(line) {
			return badHeader(line)
		}
		return nil
	}
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 || !validFieldName(line[:colon]) || !validFieldValue(line[colon+1:]) {
		return badHeader(line)
	}
	return nil
}

// parseContentLength accepts digits only (no sign, no spaces inside), up
// to 2^63 − 1.
func parseContentLength(v []byte) (int64, error) {
	if len(v) == 0 || len(v) > 19 {
		return 0, fmt.Errorf("%w: bad Content-Length", errMalformed)
	}
	var n uint64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%w: bad Content-Length", errMalformed)
		}
		n = n*10 + uint64(c-'0')
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("%w: bad Content-Length", errMalformed)
	}
	return int64(n), nil
}

// validFieldName reports whether b is a field name: a token (RFC 9110
// §5.1), or one with spaces, which net/http accepts before the colon
// (go.dev/issue/34540).
func validFieldName(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if !tokenByte(c) && c != ' ' {
			return false
		}
	}
	return true
}

// tokenByte reports whether c may appear in a token (RFC 9110 §5.6.2).
func tokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '!', '#', '$', '%', '&', '\'', '*', '+', '-', '.', '^', '_', '`', '|', '~':
		return true
	}
	return false
}

// validFieldValue reports whether b holds only what a field value (and
// an obs-fold line) may: HTAB, SP, visible ASCII and obs-text (RFC 9110
// §5.5); no other control byte and no DEL.
func validFieldValue(b []byte) bool {
	for _, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// trimOWS trims the optional whitespace around a field value: SP and HTAB
// only (RFC 9110 §5.6.3), not the other bytes Unicode calls space.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
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
		tok, v, _ = bytes.Cut(v, []byte(","))
		if asciiEqualFold(trimOWS(tok), t) {
			return true
		}
	}
	return false
}
