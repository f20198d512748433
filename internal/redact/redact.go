package redact

import (
	"net/http"
	"net/url"
	"strings"
)

// Redacted replaces a secret; redacting twice changes nothing.
const Redacted = "REDACTED"

// secretWords mark a query parameter or header name whose value is a secret.
var secretWords = [...]string{"token", "secret", "passw", "pwd", "auth", "key", "sig", "session", "cookie", "credential"}

// IsSecretName reports whether a header or query parameter name looks
// like it carries a secret.
func IsSecretName(name string) bool {
	n := strings.ToLower(name)
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// URL hides the userinfo of a URL and the values of query (and
// fragment) parameters whose names look secret (token, api_key, password,
// sig, ...), keeping the
// order and spelling of everything else. Idempotent: the engine stores the
// target redacted, and the reports redact again because a result file may
// come from anywhere.
func URL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		// Unparsable: keep the scheme and host part only.
		rest := s
		if i := strings.Index(rest, "://"); i >= 0 {
			rest = rest[i+3:]
		}
		if j := strings.LastIndex(rest, "@"); j >= 0 {
			s = strings.Replace(s, rest[:j], Redacted, 1)
		}
		if i := strings.IndexAny(s, "?#"); i >= 0 {
			s = s[:i] + "?" + Redacted
		}
		return s
	}
	if u.User != nil && u.User.String() != Redacted {
		u.User = url.User(Redacted)
	}
	if u.RawQuery != "" {
		u.RawQuery = query(u.RawQuery)
	}
	// A fragment can carry tokens too (OAuth's implicit flow).
	frag := u.EscapedFragment()
	hasFrag := u.Fragment != "" || strings.HasSuffix(s, "#")
	u.Fragment, u.RawFragment = "", ""
	out := u.String()
	if hasFrag {
		out += "#" + query(frag)
	}
	return out
}

func query(q string) string {
	parts := strings.Split(q, "&")
	for i, p := range parts {
		k, _, hasValue := strings.Cut(p, "=")
		name, err := url.QueryUnescape(k)
		if err != nil {
			name = k
		}
		if hasValue && IsSecretName(name) {
			parts[i] = k + "=" + Redacted
		}
	}
	return strings.Join(parts, "&")
}

// Header returns the value to show for a request or response header.
func Header(name, value string) string {
	switch http.CanonicalHeaderKey(name) {
	case "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie":
		return Redacted
	}
	if IsSecretName(name) {
		return Redacted
	}
	return value
}
