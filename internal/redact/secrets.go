package redact

import (
	"encoding/base64"
	"encoding/json"
	"html"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// MinSecretBytes is the shortest value Secrets searches for. A shorter
// value would match ordinary text by chance (and mangle it) while hiding
// nothing worth hiding: three characters are guessed, not leaked.
const MinSecretBytes = 4

// passes bounds String's fixpoint iteration. A secret that overlaps the
// placeholder ("…RED" + "ACTED…") can form anew where a neighbour was just
// replaced; each pass then swallows at least one byte of the text or one
// placeholder, so this only takes more than two passes for contrived
// values. A text that still changes after this many becomes Redacted.
const passes = 8

// Secrets is the set of secret values a run was given (credentials in the
// target and scrape URLs, the values of secret-named headers). String
// replaces each of them wherever it appears, in the forms a server or a
// library echoes it: as given, percent-encoded (upper- or lower-case hex,
// query or path style), base64, HTML- and JSON-escaped, Go-quoted, and a
// Basic credential's base64 form of user:pass. The zero value is empty and
// ready; a nil *Secrets redacts only by shape (Text). Safe for concurrent
// use.
type Secrets struct {
	mu   sync.Mutex
	vals map[string]bool
	list []string // vals, longest first; built on demand
}

// Add adds a secret value and its encoded forms. A value shorter than
// MinSecretBytes is ignored, and so is a form that is a substring of the
// placeholder (which no output could then avoid).
func (s *Secrets) Add(v string) {
	if len(v) < MinSecretBytes {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range forms(v) {
		if len(f) < MinSecretBytes || strings.Contains(Redacted, f) || s.vals[f] {
			continue
		}
		if s.vals == nil {
			s.vals = map[string]bool{}
		}
		s.vals[f] = true
		s.list = nil
	}
}

// AddURL adds a URL's user name, password (and the Basic credential they
// make) and the values of its secret-named query and fragment parameters.
// An unparsable URL adds nothing: it was refused before any output.
func (s *Secrets) AddURL(raw string) {
	u, err := url.Parse(raw)
	if err != nil {
		return
	}
	if u.User != nil {
		pw, _ := u.User.Password()
		s.addBasic(u.User.Username(), pw)
	}
	for _, q := range []string{u.RawQuery, u.EscapedFragment()} {
		vals, _ := url.ParseQuery(q) // a bad pair is skipped, the rest kept
		for k, vs := range vals {
			if IsSecretName(k) {
				for _, v := range vs {
					s.Add(v)
				}
			}
		}
	}
}

// AddHeader adds the value of a header that Header would redact: the
// whole value, the credential after an auth scheme ("Bearer T": T;
// "Basic B": B, and user, password and user:pass decoded from B), and
// each cookie's value of a Cookie or Set-Cookie line.
func (s *Secrets) AddHeader(name, value string) {
	if Header(name, value) != Redacted {
		return
	}
	value = strings.TrimSpace(value)
	s.Add(value)
	if f := strings.Fields(value); len(f) == 2 {
		s.Add(f[1])
		if strings.EqualFold(f[0], "basic") {
			if dec, err := base64.StdEncoding.DecodeString(f[1]); err == nil {
				user, pw, _ := strings.Cut(string(dec), ":")
				s.addBasic(user, pw)
			}
		}
	}
	switch strings.ToLower(name) {
	case "cookie", "set-cookie":
		for _, part := range strings.Split(value, ";") {
			if _, v, ok := strings.Cut(part, "="); ok {
				s.Add(strings.Trim(strings.TrimSpace(v), `"`))
			}
		}
	}
}

// addBasic adds a user name, a password, and the Basic credential a
// client sends for them.
func (s *Secrets) addBasic(user, pw string) {
	s.Add(user)
	s.Add(pw)
	s.Add(user + ":" + pw)
}

// Clone returns a copy that can grow without changing s; nil gives an
// empty set.
func (s *Secrets) Clone() *Secrets {
	c := &Secrets{}
	if s == nil {
		return c
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for v := range s.vals {
		if c.vals == nil {
			c.vals = map[string]bool{}
		}
		c.vals[v] = true
	}
	return c
}

// Len is the number of values searched for (forms included).
func (s *Secrets) Len() int {
	if s == nil {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.vals)
}

// String returns text with every known secret replaced by Redacted
// (overlapping occurrences become one), the start of a secret that ends
// the text (cut by truncation, optionally followed by "…") replaced too,
// and then redacted by shape (Text). Idempotent.
func (s *Secrets) String(text string) string {
	list := s.sorted()
	out := text
	for range passes {
		next := shape(replaceAll(out, list))
		if next == out {
			return out
		}
		out = next
	}
	return Redacted
}

func (s *Secrets) sorted() []string {
	if s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.list != nil || len(s.vals) == 0 {
		return s.list
	}
	list := make([]string, 0, len(s.vals))
	for v := range s.vals {
		list = append(list, v)
	}
	sort.Slice(list, func(i, j int) bool {
		if len(list[i]) != len(list[j]) {
			return len(list[i]) > len(list[j])
		}
		return list[i] < list[j]
	})
	s.list = list
	return list
}

// replaceAll replaces the union of every occurrence of the secrets, and of
// the longest secret prefix that ends the text, with placeholders.
func replaceAll(text string, secrets []string) string {
	if len(secrets) == 0 {
		return text
	}
	type span struct{ from, to int }
	var spans []span
	for _, v := range secrets {
		for i := 0; ; {
			k := strings.Index(text[i:], v)
			if k < 0 {
				break
			}
			spans = append(spans, span{i + k, i + k + len(v)})
			i += k + 1
		}
	}
	if from, to := cutTail(text, secrets); to > from {
		spans = append(spans, span{from, to})
	}
	if len(spans) == 0 {
		return text
	}
	sort.Slice(spans, func(i, j int) bool { return spans[i].from < spans[j].from })
	var b strings.Builder
	last := 0
	for i := 0; i < len(spans); {
		from, to := spans[i].from, spans[i].to
		for i++; i < len(spans) && spans[i].from < to; i++ {
			to = max(to, spans[i].to)
		}
		b.WriteString(text[last:from])
		b.WriteString(Redacted)
		last = to
	}
	b.WriteString(text[last:])
	return b.String()
}

// cutTail finds the longest prefix (MinSecretBytes or more) of a secret
// that ends the text, before an optional "…": what remains of a secret
// after the text was cut to a length. A text that ends with the
// placeholder has none (the placeholder may end like a secret begins).
func cutTail(text string, secrets []string) (from, to int) {
	body := strings.TrimSuffix(text, "…")
	if strings.HasSuffix(body, Redacted) {
		return 0, 0
	}
	best := 0
	for _, v := range secrets {
		best = max(best, overlap(body, v))
	}
	if best < MinSecretBytes {
		return 0, 0
	}
	return len(body) - best, len(body)
}

// overlap is the length of the longest proper prefix of v that ends s
// (Knuth–Morris–Pratt over s's tail: linear, for JWT-sized values too).
func overlap(s, v string) int {
	if len(v) < 2 {
		return 0
	}
	fail := make([]int, len(v)) // fail[i]: longest proper border of v[:i+1]
	for i, k := 1, 0; i < len(v); i++ {
		for k > 0 && v[i] != v[k] {
			k = fail[k-1]
		}
		if v[i] == v[k] {
			k++
		}
		fail[i] = k
	}
	k := 0
	for i := max(0, len(s)-len(v)); i < len(s); i++ {
		for k > 0 && (k == len(v) || s[i] != v[k]) {
			k = fail[k-1]
		}
		if s[i] == v[k] {
			k++
		}
	}
	if k == len(v) {
		k = fail[k-1]
	}
	return k
}

// forms are the spellings of v that an echo or an error message may use.
func forms(v string) []string {
	q := url.QueryEscape(v)
	p := url.PathEscape(v)
	j, _ := json.Marshal(v)
	out := []string{
		v, q, p, lowerHex(q), lowerHex(p),
		strings.ReplaceAll(q, "+", "%20"),
		base64.StdEncoding.EncodeToString([]byte(v)),
		base64.RawURLEncoding.EncodeToString([]byte(v)),
		html.EscapeString(v),
		string(j[1 : len(j)-1]),
		strings.Trim(strconv.Quote(v), `"`),
	}
	return out
}

// lowerHex spells the percent escapes of s in lower-case hex.
func lowerHex(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = lower(b[i+1]), lower(b[i+2])
			i += 2
		}
	}
	return string(b)
}

func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
