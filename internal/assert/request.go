package assert

import (
	"fmt"
	"strings"
	"unicode"
)

// noteNoBreakdown is the verdict's note on a result without by_request.
const noteNoBreakdown = "the result has no breakdown by request"

// cutFor removes a request scope, `for NAME` or `for "NAME WITH SPACES"`,
// from the words after the operator, wherever it stands before or after
// the "in" scope. found is false when there is none.
func cutFor(rest string) (name, remaining string, found bool, err error) {
	at := -1 // byte-wise: lower-casing invalid UTF-8 would move the indexes
	for i := 0; i+3 <= len(rest); i++ {
		if strings.EqualFold(rest[i:i+3], "for") && (i == 0 || isSpace(rest[i-1])) && (i+3 == len(rest) || isSpace(rest[i+3])) {
			at = i
			break
		}
	}
	if at < 0 {
		return "", rest, false, nil
	}
	after := strings.TrimLeftFunc(rest[at+3:], unicode.IsSpace)
	var end int
	switch {
	case after == "":
		return "", "", true, fmt.Errorf(`missing request name after "for"; write for NAME, or for "NAME" when it has spaces`)
	case after[0] == '"':
		k := strings.IndexByte(after[1:], '"')
		if k < 0 {
			return "", "", true, fmt.Errorf(`the request name %s has no closing quote`, clipName(after))
		}
		name, end = after[1:1+k], k+2
	default:
		end = strings.IndexFunc(after, unicode.IsSpace)
		if end < 0 {
			end = len(after)
		}
		name = after[:end]
		if strings.EqualFold(name, "in") {
			return "", "", true, fmt.Errorf(`missing request name after "for"; write for NAME, or for "NAME" when it has spaces`)
		}
	}
	if strings.TrimSpace(name) == "" {
		return "", "", true, fmt.Errorf("the request name is empty")
	}
	remaining = rest[:at] + " " + after[end:]
	if n2, _, again, _ := cutFor(after[end:]); again {
		return "", "", true, fmt.Errorf("two request scopes (%s and %s): give one", QuoteRequest(name), QuoteRequest(n2))
	}
	return name, remaining, true, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func clipName(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// QuoteRequest writes a request name as a gate takes it: as it is when it
// is one word, in double quotes otherwise ("GET /search").
func QuoteRequest(name string) string {
	if name == "" || strings.ContainsFunc(name, unicode.IsSpace) || strings.EqualFold(name, "in") || strings.EqualFold(name, "for") || name[0] == '"' {
		return `"` + name + `"`
	}
	return name
}

// ValidateRequests checks the request scopes of exprs against the names a
// run will report (its request set's), so that a run refuses `for chekout`
// before sending anything. It returns the first problem as a *ParseError.
func ValidateRequests(exprs []Expr, names []string) error {
	for _, e := range exprs {
		if e.Scope.Request == "" {
			continue
		}
		known := false
		for _, n := range names {
			known = known || n == e.Scope.Request
		}
		if known {
			continue
		}
		if len(names) == 0 {
			return &ParseError{Expr: e.text(), Msg: fmt.Sprintf("for %s: this run sends one request, with no breakdown by request", QuoteRequest(e.Scope.Request))}
		}
		return &ParseError{Expr: e.text(), Msg: fmt.Sprintf("no request named %s; the names are %s", QuoteRequest(e.Scope.Request), listNames(names))}
	}
	return nil
}

// listNames lists names for an error, quoted as a gate takes them, at
// most 10.
func listNames(names []string) string {
	var q []string
	for i, n := range names {
		if i == 10 {
			q = append(q, fmt.Sprintf("and %d more", len(names)-10))
			break
		}
		q = append(q, QuoteRequest(n))
	}
	return strings.Join(q, ", ")
}
