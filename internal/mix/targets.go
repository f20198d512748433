package mix

import (
	"bufio"
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/bploadgen/bploadgen/internal/profile"
)

// MaxTargets bounds the targets of a targets file.
const MaxTargets = 100_000

// ParseTargets reads vegeta's HTTP targets format (docs/cli.md, --targets):
//
//	GET http://host/path
//	Header-Name: value
//
//	POST /relative/path
//	Content-Type: application/json
//	@body.json
//
// A target is a line "METHOD URL" (URL absolute, or relative to the run's
// URL), then header lines "Name: value", then optionally "@FILE" (the body,
// relative to the targets file's directory) or "@<<TAG" (the body is the
// lines up to a line TAG, each ended by "\n"), which ends the target. A
// blank line, or a line that starts a new target, ends it too; lines are
// trimmed. Each target is a request of weight 1 named "METHOD path", its
// texts literal (no placeholders). name is the file's name for errors
// ("targets.txt:3: ...") and the base of body paths.
func ParseTargets(name string, data []byte) ([]profile.Request, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	dir := filepath.Dir(name)
	var out []profile.Request
	var cur *profile.Request
	line := 0
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", name, line, fmt.Sprintf(format, args...))
	}
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		switch {
		case text == "":
			cur = nil
			continue
		case cur == nil || startsTarget(text):
			method, url, ok := strings.Cut(text, " ")
			url = strings.TrimSpace(url)
			if !ok || url == "" || strings.ContainsAny(url, " \t") {
				return nil, fail("want a target line METHOD URL, not %q", profile.RedactURL(clipLine(text)))
			}
			if err := profile.ValidateMethod(method); err != nil {
				return nil, fail("%v", err)
			}
			if profile.IsAbsoluteURL(url) {
				if err := profile.ValidateURL(url); err != nil {
					return nil, fail("%v", err)
				}
			}
			if len(out) == MaxTargets {
				return nil, fail("more than %d targets", MaxTargets)
			}
			method = strings.ToUpper(method)
			out = append(out, profile.Request{Name: profile.DefaultName(method, url), Weight: 1, Method: method, URL: url, Line: line})
			cur = &out[len(out)-1]
		case strings.HasPrefix(text, "@<<"):
			tag := text[3:]
			if tag == "" {
				return nil, fail("@<< needs a tag that ends the body")
			}
			var body strings.Builder
			closed := false
			for sc.Scan() {
				line++
				if sc.Text() == tag {
					closed = true
					break
				}
				body.WriteString(sc.Text() + "\n")
			}
			if !closed {
				return nil, fail("the body is not ended by a line %q", tag)
			}
			cur.Body = body.String()
			cur = nil
		case strings.HasPrefix(text, "@"):
			path := text[1:]
			if path == "" {
				return nil, fail("@ needs a body file")
			}
			if !filepath.IsAbs(path) {
				path = filepath.Join(dir, path)
			}
			cur.BodyFile = path
			cur = nil
		default:
			h, err := profile.ParseHeader(text)
			if err != nil {
				return nil, fail("%v", err)
			}
			cur.Headers = append(cur.Headers, h)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s:%d: %v", name, line+1, err)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no targets", name)
	}
	return out, nil
}

// startsTarget reports whether a line begins a new target without a blank
// line before it: an upper-case method token, a space, and a URL that is
// absolute or starts with "/" (a header line has a colon right after its
// name).
func startsTarget(text string) bool {
	method, url, ok := strings.Cut(text, " ")
	if !ok || method == "" || strings.HasSuffix(method, ":") || strings.ToUpper(method) != method {
		return false
	}
	url = strings.TrimSpace(url)
	return strings.HasPrefix(url, "/") || profile.IsAbsoluteURL(url)
}

func clipLine(s string) string {
	if len(s) > 80 {
		return s[:80] + "…"
	}
	return s
}
