package redact

import (
	"encoding/base64"
	"strings"
)

// Text redacts free text by shape, for secrets nobody told us about (a
// result file from elsewhere) and behind Secrets as a second line:
//
//   - every http:// or https:// URL in it, as URL does (user info, secret
//     query and fragment parameters);
//   - the credential after "Bearer " (8 bytes or more) or "Basic " (when
//     it decodes to user:pass);
//   - the value of a secret-named parameter, name=value or name="value",
//     after the start, a space or one of ?&;,"'({[;
//   - the string value of a secret-named JSON member, "name": "value";
//   - the value of a header line "Name: value" whose name Header redacts.
//
// Idempotent. Equal to String on a nil *Secrets.
func Text(s string) string { return (*Secrets)(nil).String(s) }

// shape is one pass of Text's rules.
func shape(s string) string {
	s = urls(s)
	s = credentials(s)
	s = params(s)
	s = jsonMembers(s)
	return headerLines(s)
}

// urls applies URL to every http(s) URL in s; a URL ends at a space, a
// quote, an angle bracket, a backtick or a control byte.
func urls(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != 'h' && s[i] != 'H' || !hasPrefixFold(s[i:], "http://") && !hasPrefixFold(s[i:], "https://") {
			continue
		}
		j := i
		for j < len(s) && !endsURL(s[j]) {
			j++
		}
		b.WriteString(s[last:i])
		b.WriteString(URL(s[i:j]))
		last, i = j, j-1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func endsURL(c byte) bool {
	return c <= ' ' || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' || c == 0x7f
}

// credentials redacts the token after an auth scheme word.
func credentials(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if i > 0 && isNameByte(s[i-1]) {
			continue
		}
		var basic bool
		switch {
		case hasPrefixFold(s[i:], "bearer "):
		case hasPrefixFold(s[i:], "basic "):
			basic = true
		default:
			continue
		}
		j := i + strings.IndexByte(s[i:], ' ')
		for j < len(s) && s[j] == ' ' {
			j++
		}
		k := j
		for k < len(s) && isToken68(s[k]) {
			k++
		}
		for k < len(s) && s[k] == '=' {
			k++
		}
		tok := s[j:k]
		if tok == Redacted || len(tok) < 8 && !basic {
			continue
		}
		if basic {
			dec, err := base64.StdEncoding.DecodeString(tok)
			if err != nil || !strings.Contains(string(dec), ":") {
				continue
			}
		}
		b.WriteString(s[last:j])
		b.WriteString(Redacted)
		last, i = k, k-1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// params redacts name=value and name="value" where name looks secret.
func params(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '=' {
			continue
		}
		n := i
		for n > last && isNameByte(s[n-1]) {
			n--
		}
		if n == i || n > 0 && !strings.ContainsRune(" \t\r\n?&;,\"'({[", rune(s[n-1])) || !IsSecretName(s[n:i]) {
			continue
		}
		start, end := valueAt(s, i+1, "&#;, \t\r\n\"'<>)}]")
		if start == end || s[start:end] == Redacted {
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(Redacted)
		last, i = end, end-1
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// jsonMembers redacts "name": "value" where name looks secret.
func jsonMembers(s string) string {
	var b strings.Builder
	last := 0
	for i := 0; i < len(s); i++ {
		if s[i] != '"' {
			continue
		}
		j := strings.IndexByte(s[i+1:], '"')
		if j < 0 {
			break
		}
		name := s[i+1 : i+1+j]
		k := skipSpace(s, i+2+j)
		if k >= len(s) || s[k] != ':' || strings.ContainsAny(name, "\\\n") || !IsSecretName(name) {
			continue
		}
		k = skipSpace(s, k+1)
		if k >= len(s) || s[k] != '"' {
			continue
		}
		start, end := valueAt(s, k, "")
		if start == end || s[start:end] == Redacted {
			i = end
			continue
		}
		b.WriteString(s[last:start])
		b.WriteString(Redacted)
		last, i = end, end
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

// headerLines redacts the value of "Name: value" lines that Header hides.
func headerLines(s string) string {
	lines := strings.SplitAfter(s, "\n")
	changed := false
	for i, l := range lines {
		k := skipSpace(l, 0)
		n := k
		for n < len(l) && isNameByte(l[n]) && l[n] != '.' {
			n++
		}
		if n == k || n >= len(l) || l[n] != ':' || Header(l[k:n], "x") != Redacted {
			continue
		}
		v := skipSpace(l, n+1)
		end := len(strings.TrimRight(l, "\r\n"))
		if v >= end || l[v:end] == Redacted {
			continue
		}
		lines[i], changed = l[:v]+Redacted+l[end:], true
	}
	if !changed {
		return s
	}
	return strings.Join(lines, "")
}

// valueAt returns the bounds of the value starting at i: a double-quoted
// value's inside (to the closing quote, backslash escapes skipped, or the
// end), else up to the first byte in stop.
func valueAt(s string, i int, stop string) (int, int) {
	if i < len(s) && s[i] == '"' {
		j := i + 1
		for j < len(s) && s[j] != '"' {
			if s[j] == '\\' {
				j++
			}
			j++
		}
		return i + 1, min(j, len(s))
	}
	j := i
	for j < len(s) && !strings.ContainsRune(stop, rune(s[j])) {
		j++
	}
	return i, j
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
		i++
	}
	return i
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.'
}

func isToken68(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~+/", c) >= 0
}

// hasPrefixFold is strings.HasPrefix ignoring ASCII case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
