package replay

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
)

// MaxLineBytes bounds one line of a log (a JSON line carries its body).
const MaxLineBytes = 16 << 20

type jsonRecord struct {
	Time    json.RawMessage   `json:"time"`
	Method  string            `json:"method"`
	URL     string            `json:"url"`
	Headers map[string]string `json:"headers"`
	Body    string            `json:"body"`
}

// ParseJSON reads JSON lines, one request a line:
//
//	{"time": 1733140800.25, "method": "POST", "url": "/checkout", "headers": {"Content-Type": "application/json"}, "body": "{}"}
//
// time is Unix seconds (a number, fractions exact to the nanosecond) or an
// RFC 3339 string; method defaults to GET; url is absolute or relative to
// the run's URL; headers and body are optional. Blank lines are skipped.
// name is the file's name for errors ("log.jsonl:7: ...").
func ParseJSON(name string, r io.Reader) (*Log, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), MaxLineBytes)
	l := newLog()
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" {
			continue
		}
		var rec jsonRecord
		if err := json.Unmarshal([]byte(text), &rec); err != nil {
			return nil, fmt.Errorf("%s:%d: not a JSON object of a request: %v", name, line, err)
		}
		ns, err := jsonTime(rec.Time)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: time: %v", name, line, err)
		}
		req, err := jsonRequest(&rec)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		req.Line = line
		if err := l.add(ns, req); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", name, line+1, err)
	}
	return l.finish(name)
}

func jsonRequest(rec *jsonRecord) (profile.Request, error) {
	r := profile.Request{Method: strings.ToUpper(rec.Method), URL: rec.URL, Body: rec.Body}
	if r.Method == "" {
		r.Method = "GET"
	}
	if err := profile.ValidateMethod(r.Method); err != nil {
		return r, err
	}
	if r.URL == "" {
		return r, fmt.Errorf("no url")
	}
	if profile.IsAbsoluteURL(r.URL) {
		if err := profile.ValidateURL(r.URL); err != nil {
			return r, err
		}
	} else if strings.ContainsAny(r.URL, " \t\r\n") || strings.HasPrefix(r.URL, "//") {
		return r, fmt.Errorf("url %q: want an absolute URL or a path", profile.RedactURL(clip(r.URL)))
	}
	names := make([]string, 0, len(rec.Headers))
	for k := range rec.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		h, err := profile.ParseHeader(k + ": " + rec.Headers[k])
		if err != nil {
			return r, err
		}
		r.Headers = append(r.Headers, h)
	}
	return r, nil
}

// jsonTime reads Unix seconds (exactly, from the number's digits) or an
// RFC 3339 string, as Unix nanoseconds.
func jsonTime(raw json.RawMessage) (int64, error) {
	s := strings.TrimSpace(string(raw))
	if s == "" || s == "null" {
		return 0, fmt.Errorf("missing")
	}
	if s[0] == '"' {
		var str string
		if err := json.Unmarshal(raw, &str); err != nil {
			return 0, err
		}
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return 0, fmt.Errorf("%q is not RFC 3339 (2006-01-02T15:04:05.999Z07:00)", clip(str))
		}
		return t.UnixNano(), nil
	}
	return unixSeconds(s)
}

// unixSeconds parses a JSON number of seconds into nanoseconds: digits
// before and after the point exactly, an exponent through float64.
func unixSeconds(s string) (int64, error) {
	bad := fmt.Errorf("%q is not Unix seconds", clip(s))
	if strings.ContainsAny(s, "eE") {
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || f < 0 || f*1e9 >= math.MaxInt64 {
			return 0, bad
		}
		return int64(math.Round(f * 1e9)), nil
	}
	whole, frac, _ := strings.Cut(s, ".")
	sec, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || sec < 0 || sec > math.MaxInt64/1_000_000_000-1 || strings.HasPrefix(whole, "+") {
		return 0, bad
	}
	var ns int64
	for i := 0; i < len(frac); i++ {
		c := frac[i]
		if c < '0' || c > '9' {
			return 0, bad
		}
		if i < 9 {
			ns = ns*10 + int64(c-'0')
		}
	}
	for i := len(frac); i < 9; i++ {
		ns *= 10
	}
	return sec*1e9 + ns, nil
}
