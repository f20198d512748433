package profile

import "github.com/bploadgen/bploadgen/internal/redact"

// Redacted replaces a secret in every output.
const Redacted = redact.Redacted

// IsSecretHeader reports whether a header's value must be redacted.
func IsSecretHeader(name string) bool { return redact.Header(name, "x") == Redacted }

// RedactURL hides a URL's user info and secret-looking query parameters
// (see package redact).
func RedactURL(s string) string { return redact.URL(s) }

// RedactHeaders returns the headers as a map with secret values replaced;
// repeated headers are joined with ", ".
func RedactHeaders(hs []Header) map[string]string {
	if len(hs) == 0 {
		return nil
	}
	out := make(map[string]string, len(hs))
	for _, h := range hs {
		v := redact.Header(h.Name, h.Value)
		if prev, ok := out[h.Name]; ok {
			v = prev + ", " + v
		}
		out[h.Name] = v
	}
	return out
}
