package mix

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/bploadgen/bploadgen/internal/placeholder"
	"github.com/bploadgen/bploadgen/internal/profile"
	"golang.org/x/net/http/httpguts"
)

// MaxNames bounds the distinct request names a set reports: the requests
// of further names are reported together as Other.
const MaxNames = 100

// Other is the name of the requests past the first MaxNames names.
const Other = "other"

// MaxBodyBytes bounds a request's body file (the run's single-body bound).
const MaxBodyBytes = profile.MaxBodyBytes

// Spec is what a set is built from.
type Spec struct {
	// Base is the target URL, which relative request URLs resolve against.
	Base string
	// Common are headers every request sends (the target's: a profile's
	// target.headers and the command line's) unless it sets one of the same
	// name itself. Their values take placeholders even when Literal.
	Common []profile.Header
	// Requests are the requests; their Line and File name errors.
	Requests []profile.Request
	// File is the file the requests came from ("" for flags).
	File string
	// Literal: the requests' own texts hold no placeholders (targets files,
	// replays): `{{` is sent as it is.
	Literal bool
	// Data is the data the placeholders read; nil without.
	Data *Table
	// Seed keys every random choice.
	Seed uint64
}

// Error is a problem with one request of a set: Field is "url", "header
// NAME", "body" or "body_file" (the caller maps it to a flag when the text
// came from one). It prints as "FILE:LINE: request N (NAME): FIELD: MSG".
// A common header's error has Request 0 and prints as "FIELD: MSG".
type Error struct {
	File    string
	Line    int
	Request int // 1-based; 0 for a common header
	Name    string
	Field   string
	Msg     string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Request > 0 {
		fmt.Fprintf(&b, "request %d (%s): ", e.Request, e.Name)
	}
	if e.Field != "" {
		b.WriteString(e.Field + ": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Set is a compiled request set. Safe for concurrent use.
type Set struct {
	reqs    []compiled
	names   []string
	chooser *Chooser
	data    *Table
	seed    uint64
	files   map[string][]byte // body files while building
	fixed   []uint32          // a replay's request per arrival (SetArrivals)
}

type compiled struct {
	name    int // index in names
	method  string
	origin  string // scheme://host[:port] of the URL
	host    string // the Host header the request sets itself, or ""
	target  *placeholder.Template
	headers []header
	body    *placeholder.Template
	bodyLen int // the body's length when it is static, else -1
	// head is the static part of the HTTP/1.1 head after the request line
	// up to (not including) the variable headers: Host, user agent,
	// authorization.
	head       string
	contentLen bool // send Content-Length (a body, or POST/PUT/PATCH)
	idempotent bool
}

type header struct {
	name  string
	value *placeholder.Template
}

// Build compiles the requests of spec. Errors are *Error (or a data or
// file error naming its file).
func Build(spec Spec) (*Set, error) {
	if len(spec.Requests) == 0 {
		return nil, fmt.Errorf("no requests")
	}
	var cols []string
	if spec.Data != nil {
		cols = spec.Data.Columns
	}
	comp, err := placeholder.NewCompiler(cols)
	if err != nil {
		return nil, err
	}
	common, err := compileCommon(spec, comp)
	if err != nil {
		return nil, err
	}
	s := &Set{data: spec.Data, seed: spec.Seed, files: map[string][]byte{}}
	defer func() { s.files = nil }()
	nameIdx := map[string]int{}
	weights := make([]float64, len(spec.Requests))
	for i, r := range spec.Requests {
		fail := func(field, format string, args ...any) error {
			return &Error{File: spec.File, Line: r.Line, Request: i + 1, Name: r.Name, Field: field, Msg: fmt.Sprintf(format, args...)}
		}
		c, err := s.compile(spec, comp, common, &r, fail)
		if err != nil {
			return nil, err
		}
		name := r.Name
		if name == "" {
			name = profile.DefaultName(r.Method, r.URL)
		}
		idx, ok := nameIdx[name]
		if !ok {
			idx = len(s.names)
			if idx >= MaxNames {
				idx = MaxNames
				if len(s.names) == MaxNames {
					s.names = append(s.names, Other)
				}
			} else {
				s.names = append(s.names, name)
			}
			nameIdx[name] = idx
		}
		c.name = idx
		s.reqs = append(s.reqs, c)
		weights[i] = r.Weight
		if weights[i] == 0 {
			weights[i] = 1
		}
	}
	if s.chooser, err = NewChooser(weights); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Set) compile(spec Spec, comp *placeholder.Compiler, common []header, r *profile.Request, fail func(field, format string, args ...any) error) (compiled, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	c := compiled{method: method}
	tmpl := func(field, text string, mode placeholder.Mode) (*placeholder.Template, error) {
		if spec.Literal {
			return placeholder.Literal(text), nil
		}
		t, err := comp.Compile(text, mode)
		if err != nil {
			return nil, fail(field, "%v", err)
		}
		return t, nil
	}
	origin, rest, err := resolve(spec.Base, r.URL)
	if err != nil {
		return c, fail("url", "%v", err)
	}
	if strings.Contains(origin, "{{") && !spec.Literal {
		return c, fail("url", "placeholders may not name the host")
	}
	c.origin = origin
	if c.target, err = tmpl("url", rest, placeholder.URL); err != nil {
		return c, err
	}
	// A sample arrival (seq 0, the first row) must make a valid URL; column
	// values are percent-encoded, so only the literal text can spoil it.
	sample := c.target.Append(nil, &placeholder.Vars{Row: firstRow(spec.Data)})
	if bad := strings.IndexFunc(string(sample), func(r rune) bool { return r <= ' ' || r == 0x7f }); bad >= 0 {
		return c, fail("url", "spaces and control characters must be percent-encoded")
	}
	u, err := url.Parse(origin + string(sample))
	if err != nil {
		return c, fail("url", "%v", unwrap(err))
	}
	c.idempotent = map[string]bool{"GET": true, "HEAD": true, "OPTIONS": true, "TRACE": true, "PUT": true, "DELETE": true}[method]

	var head strings.Builder
	host, hasUA, hasAuth := u.Host, false, false
	for _, h := range mergeHeaders(spec.Common, common, r.Headers) {
		switch http.CanonicalHeaderKey(h.Name) {
		case "Host":
			host, c.host = h.Value, h.Value // sent as given
			continue
		case "Content-Length", "Connection", "Transfer-Encoding":
			continue // the client writes these itself
		case "User-Agent":
			hasUA = true
		case "Authorization":
			hasAuth = true
		}
		v := h.value // a common header's, compiled once
		if v == nil {
			if v, err = tmpl("header "+h.Name, h.Value, placeholder.Raw); err != nil {
				return c, err
			}
			if err := checkHeaderColumns(spec.Data, v); err != nil {
				return c, fail("header "+h.Name, "%v", err)
			}
		}
		c.headers = append(c.headers, header{name: h.Name, value: v})
	}
	head.WriteString("Host: " + host + "\r\n")
	if !hasUA {
		head.WriteString("User-Agent: " + UserAgent + "\r\n")
	}
	if u.User != nil && !hasAuth {
		pw, _ := u.User.Password()
		head.WriteString("Authorization: Basic " + basic(u.User.Username(), pw) + "\r\n")
	}
	c.head = head.String()

	body := []byte(r.Body)
	if r.BodyFile != "" {
		var ok bool
		if body, ok = s.files[r.BodyFile]; !ok { // read once, however many requests share it
			if body, err = profile.ReadBodyFile(r.BodyFile); err != nil {
				return c, fail("body_file", "%v", err)
			}
			s.files[r.BodyFile] = body
		}
	}
	if c.body, err = tmpl("body", string(body), placeholder.Raw); err != nil {
		return c, err
	}
	c.bodyLen = -1
	if c.body.Static() {
		c.bodyLen = len(c.body.Append(nil, &placeholder.Vars{}))
	}
	c.contentLen = len(body) > 0 || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch
	return c, nil
}

// UserAgent is sent unless the request sets its own (the engine's).
const UserAgent = "bploadgen/1"

// merged is a header to send: a common one with its compiled value, or
// the request's own (value nil: compiled per request).
type merged struct {
	profile.Header
	value *placeholder.Template
}

// mergeHeaders returns the common headers (compiled[i] is common[i]'s
// value) with those the request sets itself replaced, then the request's
// own, in order.
func mergeHeaders(common []profile.Header, compiled []header, own []profile.Header) []merged {
	out := make([]merged, 0, len(common)+len(own))
	for i, h := range common {
		replaced := false
		for _, o := range own {
			replaced = replaced || strings.EqualFold(o.Name, h.Name)
		}
		if !replaced {
			out = append(out, merged{h, compiled[i].value})
		}
	}
	for _, o := range own {
		out = append(out, merged{Header: o})
	}
	return out
}

// compileCommon compiles the common headers' values once, with
// placeholders whether or not the requests' own texts are literal (they
// come from the target, not from a targets file or a log). Host and the
// headers the client writes itself are left nil. Errors are *Error with
// Request 0.
func compileCommon(spec Spec, comp *placeholder.Compiler) ([]header, error) {
	out := make([]header, len(spec.Common))
	for i, h := range spec.Common {
		out[i].name = h.Name
		switch http.CanonicalHeaderKey(h.Name) {
		case "Host", "Content-Length", "Connection", "Transfer-Encoding":
			continue
		}
		v, err := comp.Compile(h.Value, placeholder.Raw)
		if err == nil {
			err = checkHeaderColumns(spec.Data, v)
		}
		if err != nil {
			return nil, &Error{Field: "header " + h.Name, Msg: err.Error()}
		}
		out[i].value = v
	}
	return out, nil
}

// checkHeaderColumns refuses a data value that a header cannot carry (a
// line break, a control character), once, before the run.
func checkHeaderColumns(t *Table, v *placeholder.Template) error {
	if t == nil {
		return nil
	}
	for _, col := range v.Columns() {
		for i, row := range t.Rows {
			if !httpguts.ValidHeaderFieldValue(row[col]) {
				return fmt.Errorf("%s:%d: column %q holds a value a header cannot carry (a line break or control character)", t.File, i+2, t.Columns[col])
			}
		}
	}
	return nil
}

func firstRow(t *Table) []string {
	if t == nil {
		return nil
	}
	return t.Rows[0]
}

func unwrap(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}
