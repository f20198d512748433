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
	if err != nil || strings.Contains(u.Opaque, "@") {
		// Unparsable, or scheme-less user info ("user:pw@host" parses
		// as scheme "user"): hide the user info (up to the last @ before
		// the path) and everything from the query or fragment on.
		prefix, rest := "", s
		if i := strings.Index(s, "://"); i >= 0 {
			prefix, rest = s[:i+3], s[i+3:]
		}
		end := len(rest)
		if j := strings.IndexAny(rest, "/?#"); j >= 0 {
			end = j
		}
		auth, tail := rest[:end], rest[end:]
		if j := strings.LastIndex(auth, "@"); j >= 0 {
			auth = Redacted + auth[j:]
		}
		if i := strings.IndexAny(tail, "?#"); i >= 0 {
			tail = tail[:i] + "?" + Redacted
		}
		return prefix + auth + tail
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

// IsSecretColumn reports whether a data column's values are secrets: the
// rule of header and query names (IsSecretName), so a CSV column "token",
// "api_key" or "password" is redacted wherever a secret header would be.
func IsSecretColumn(name string) bool { return IsSecretName(name) }

// Column returns the value to show for a data column's value.
func Column(name, value string) string {
	if IsSecretColumn(name) {
		return Redacted
	}
	return value
}
