package profile

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/http/httpguts"
)

// ValidateURL checks that s is an absolute http or https URL with a host.
func ValidateURL(s string) error {
	if s == "" {
		return fmt.Errorf("no target URL")
	}
	if !strings.Contains(s, "://") {
		// "localhost:8080" parses as scheme "localhost"; "127.0.0.1:80"
		// fails on its colon: say what is missing instead.
		return fmt.Errorf("invalid URL %q: no scheme; did you mean http://%s?", RedactURL(s), RedactURL(s))
	}
	u, err := url.Parse(s)
	if err != nil {
		return fmt.Errorf("invalid URL %q: %v", RedactURL(s), unwrapURLError(err))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return fmt.Errorf("invalid URL %q: the scheme must be http or https", RedactURL(s))
	}
	if u.Host == "" || u.Hostname() == "" {
		return fmt.Errorf("invalid URL %q: no host", RedactURL(s))
	}
	return nil
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

// ValidateMethod checks that m is a valid HTTP method token.
func ValidateMethod(m string) error {
	if m == "" || !httpguts.ValidHeaderFieldName(m) {
		return fmt.Errorf("invalid HTTP method %q", m)
	}
	return nil
}

// ParseHeader reads a "Name: value" header as given to -H.
func ParseHeader(s string) (Header, error) {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return Header{}, fmt.Errorf("header %q: want 'Name: value'", redactHeaderText(s))
	}
	return checkHeader(name, strings.TrimSpace(value))
}

func checkHeader(name, value string) (Header, error) {
	if !httpguts.ValidHeaderFieldName(name) {
		return Header{}, fmt.Errorf("header %q: invalid name", name)
	}
	if !httpguts.ValidHeaderFieldValue(value) {
		return Header{}, fmt.Errorf("header %q: invalid value", name)
	}
	return Header{Name: http.CanonicalHeaderKey(name), Value: value}, nil
}

// redactHeaderText hides everything after the colon of a header line that
// could not be parsed, in case it was a secret.
func redactHeaderText(s string) string {
	if name, _, ok := strings.Cut(s, ":"); ok {
		return name + ": " + Redacted
	}
	if len(s) > 20 {
		return s[:20] + "…"
	}
	return s
}
