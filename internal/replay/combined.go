package replay

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
)

// combinedLayout is the NCSA log's time stamp: [10/Oct/2000:13:55:36 -0700].
const combinedLayout = "02/Jan/2006:15:04:05 -0700"

// ParseCombined reads the NCSA combined (or common) access-log format:
//
//	127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326 "http://ref/" "Mozilla/4.08"
//
// Only the time stamp and the request line are replayed (method and
// request-target; no headers, no body: the log has none). Its time stamps
// have whole seconds, so the k requests of one second are spread evenly
// over it: the j-th (0-based, in file order) at j/k s into the second. A
// line whose request is "-" or not "METHOD TARGET [PROTOCOL]" is skipped
// and counted (Log.Skipped); a line without a bracketed time stamp and a
// quoted request is an error naming the line.
func ParseCombined(name string, r io.Reader) (*Log, error) {
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
		sec, req, ok, err := combinedLine(text)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
		if !ok {
			l.Skipped++
			continue
		}
		req.Line = line
		if err := l.add(sec*1e9, req); err != nil {
			return nil, fmt.Errorf("%s:%d: %v", name, line, err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", name, line+1, err)
	}
	if len(l.abs) > 0 && !sort.SliceIsSorted(l.abs, func(i, j int) bool { return l.abs[i] < l.abs[j] }) {
		sort.Stable(byTime{l})
	}
	spread(l.abs)
	return l.finish(name)
}

// spread moves the k equal stamps of each second to j/k s into it.
func spread(ns []int64) {
	for i := 0; i < len(ns); {
		j := i
		for j < len(ns) && ns[j] == ns[i] {
			j++
		}
		k := int64(j - i)
		for n := i; n < j; n++ {
			ns[n] += int64(n-i) * 1e9 / k
		}
		i = j
	}
}

// combinedLine reads one line: its time stamp's Unix second and request.
func combinedLine(text string) (sec int64, r profile.Request, ok bool, err error) {
	open := strings.IndexByte(text, '[')
	if open < 0 {
		return 0, r, false, fmt.Errorf("no [time stamp]: not the combined log format")
	}
	end := strings.IndexByte(text[open:], ']')
	if end < 0 {
		return 0, r, false, fmt.Errorf("no [time stamp]: not the combined log format")
	}
	stamp := text[open+1 : open+end]
	t, terr := time.Parse(combinedLayout, stamp)
	if terr != nil {
		return 0, r, false, fmt.Errorf("time stamp %q: want 10/Oct/2000:13:55:36 -0700", clip(stamp))
	}
	rest := strings.TrimLeft(text[open+end+1:], " ")
	if !strings.HasPrefix(rest, `"`) {
		return 0, r, false, fmt.Errorf(`no "request line" after the time stamp`)
	}
	reqLine, closed := quoted(rest[1:])
	if !closed {
		return 0, r, false, fmt.Errorf("the request line's quote is not closed")
	}
	f := strings.Fields(reqLine)
	if len(f) < 2 || len(f) > 3 || profile.ValidateMethod(f[0]) != nil || (len(f) == 3 && !strings.HasPrefix(f[2], "HTTP/")) ||
		!(strings.HasPrefix(f[1], "/") || profile.IsAbsoluteURL(f[1]) && profile.ValidateURL(f[1]) == nil) {
		return t.Unix(), r, false, nil // "-", a TLS probe's bytes, …
	}
	return t.Unix(), profile.Request{Method: strings.ToUpper(f[0]), URL: f[1]}, true, nil
}

// quoted returns the text up to the closing quote (a quote escaped with
// a backslash does not close it) and whether there was one.
func quoted(s string) (string, bool) {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return s[:i], true
		}
	}
	return s, false
}
