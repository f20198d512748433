package assert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// ParseError is a gate that could not be parsed or does not fit the run.
// It prints as `assert "p99 < 250": p99 needs a duration with a unit,
// like 250ms`.
type ParseError struct {
	Expr string // the gate as given, trimmed
	Msg  string // what is wrong
}

func (e *ParseError) Error() string { return fmt.Sprintf("assert %q: %s", e.Expr, e.Msg) }

const opRunes = "<>=!≤≥"

var ops = map[string]string{"<": "<", "<=": "<=", ">": ">", ">=": ">=", "≤": "<=", "≥": ">="}

// unitWords may stand apart from their number ("250 ms", "1 %", "+0.5 pp").
var unitWords = map[string]bool{"ns": true, "us": true, "µs": true, "μs": true, "ms": true, "s": true, "m": true, "h": true, "%": true, "pp": true}

// Clause is one gate as written, METRIC OP VALUE [in SCOPE], with the
// metric, the operator and the scope read and the value left as text: the
// grammar every gate shares. Parse reads the value as a threshold;
// compare reads it as a signed difference, size as a latency bound.
type Clause struct {
	Raw    string     // the gate, trimmed
	Metric string     // canonical, as ParseMetric spells it
	Kind   MetricKind // what Metric measures
	Op     string     // "<", "<=", ">" or ">="
	Value  string     // the value's word, with a sign or unit written apart joined on ("+ 250 ms" -> "+250ms")
	Scope  Scope      // Run when no scope was written
	m      metric
}

// Form is what a grammar built on Scan calls its value in errors, and
// whether it takes window scopes.
type Form struct {
	Value   string // the value's name: "VALUE", "±VALUE"
	Example string // a whole gate: "p99 < 250ms"
	// NoWindows, if set, refuses "each 10s" scopes with this reason.
	NoWindows string
	// NoRequests, if set, refuses "for NAME" scopes with this reason.
	NoRequests string
}

// GateForm is the form of run's and merge's gates.
var GateForm = Form{Value: "VALUE", Example: "p99 < 250ms"}

// scopes lists the scopes the form takes, for errors.
func (f Form) scopes() string {
	if f.NoWindows != "" {
		return "run, stage N or each stage"
	}
	return "run, stage N, each stage or each 10s"
}

// Scan splits a gate into its parts (see the package doc for the grammar).
// Keywords are case-insensitive, whitespace is optional around the
// operator, and a unit may stand apart from its number. Errors are
// *ParseError.
func Scan(s string, f Form) (Clause, error) {
	raw := strings.TrimSpace(s)
	fail := func(err error) (Clause, error) { return Clause{}, &ParseError{Expr: raw, Msg: err.Error()} }
	want := "METRIC OP " + f.Value
	if raw == "" {
		return fail(fmt.Errorf("empty; want %s [in SCOPE], like %s", want, f.Example))
	}
	i := strings.IndexAny(raw, opRunes)
	if i < 0 {
		return fail(fmt.Errorf("no comparison; want %s, like %s", want, f.Example))
	}
	j := i
	for j < len(raw) {
		r, size := utf8.DecodeRuneInString(raw[j:])
		if !strings.ContainsRune(opRunes, r) {
			break
		}
		j += size
	}
	metricText := strings.TrimSpace(raw[:i])
	if metricText == "" {
		return fail(fmt.Errorf("missing metric before %q; want %s, like %s", raw[i:j], want, f.Example))
	}
	m, err := parseMetric(metricText)
	if err != nil {
		return fail(err)
	}
	op, ok := ops[raw[i:j]]
	if !ok {
		return fail(fmt.Errorf("unknown operator %q; use <, <=, > or >=", raw[i:j]))
	}
	c := Clause{Raw: raw, Metric: m.name, Kind: m.kind, Op: op, m: m}
	request, rest, hasFor, err := cutFor(raw[j:])
	switch {
	case err != nil:
		return fail(err)
	case hasFor && f.NoRequests != "":
		return fail(fmt.Errorf("for %s: %s", QuoteRequest(request), f.NoRequests))
	}
	var scope []string
	if c.Value, scope, err = splitRest(op, strings.Fields(rest), f); err != nil {
		return fail(err)
	}
	if scope != nil {
		if c.Scope, err = parseScope(scope, f); err != nil {
			return fail(err)
		}
	}
	if hasFor && c.Scope.Kind == EachWindow {
		return fail(fmt.Errorf("for %s in %s: a request has no per-window histograms; use in each stage, in stage N or in run", QuoteRequest(request), c.Scope))
	}
	c.Scope.Request = request
	return c, nil
}

// splitRest splits the words after the operator into the value and the
// scope's words (nil without "in").
func splitRest(op string, words []string, f Form) (value string, scope []string, err error) {
	in := len(words)
	for k, w := range words {
		if strings.EqualFold(w, "in") {
			in = k
			break
		}
	}
	val := words[:in]
	if len(val) == 0 {
		return "", nil, fmt.Errorf("missing value after %s", op)
	}
	value, extra := val[0], val[1:]
	if (value == "+" || value == "-") && len(extra) > 0 { // a sign apart: "+ 10%"
		value, extra = value+extra[0], extra[1:]
	}
	if len(extra) > 0 && unitWords[strings.ToLower(extra[0])] {
		value, extra = value+extra[0], extra[1:]
	}
	if len(extra) > 0 {
		return "", nil, fmt.Errorf("unexpected %q after the value; a scope starts with \"in\", like \"in stage 2\"", extra[0])
	}
	if in == len(words) {
		return value, nil, nil
	}
	if in == len(words)-1 {
		return "", nil, fmt.Errorf("missing scope after \"in\"; want %s", f.scopes())
	}
	return value, words[in+1:], nil
}

// parseScope reads the words after "in". Spaces inside are optional.
func parseScope(words []string, f Form) (Scope, error) {
	text := strings.Join(words, " ")
	c := strings.ToLower(strings.Join(words, ""))
	if c == "run" {
		return Scope{Kind: Run}, nil
	}
	if len(words) > 1 && strings.EqualFold(words[0], "stage") && !isDigits(strings.Join(words[1:], "")) {
		name := strings.Join(words[1:], " ")
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = name[1 : len(name)-1]
		}
		if _, err := strconv.ParseFloat(strings.ReplaceAll(name, " ", ""), 64); err == nil {
			return Scope{}, fmt.Errorf("scope %q: want a stage number from 1, like stage 2", text)
		}
		if name == "" || strings.Contains(name, `"`) {
			return Scope{}, fmt.Errorf("scope %q: want a stage number from 1 or a stage's name, like stage 2 or stage warm-up", text)
		}
		return Scope{Kind: Stage, StageName: name}, nil
	}
	if num, ok := strings.CutPrefix(c, "stage"); ok {
		n, err := strconv.Atoi(num)
		if err != nil || !isDigits(num) || n < 1 {
			return Scope{}, fmt.Errorf("scope %q: want a stage number from 1, like stage 2", text)
		}
		return Scope{Kind: Stage, Stage: n}, nil
	}
	rest, ok := strings.CutPrefix(c, "each")
	switch {
	case !ok:
		return Scope{}, fmt.Errorf("unknown scope %q; want %s", text, f.scopes())
	case rest == "stage" || rest == "stages":
		return Scope{Kind: EachStage}, nil
	case f.NoWindows != "":
		return Scope{}, fmt.Errorf("scope %q: %s", text, f.NoWindows)
	case rest == "":
		return Scope{}, errors.New("scope \"" + text + "\": want each stage or each 10s")
	case IsDecimal(rest):
		return Scope{}, fmt.Errorf("scope %q: the window needs a unit, like each 10s", text)
	}
	d, err := time.ParseDuration(rest)
	switch {
	case err != nil || strings.HasPrefix(rest, "+"):
		return Scope{}, fmt.Errorf("scope %q: want each stage or a window length, like each 10s", text)
	case d <= 0:
		return Scope{}, fmt.Errorf("scope %q: the window must be positive", text)
	case d%time.Second != 0:
		return Scope{}, fmt.Errorf("scope %q: the window must be a whole number of seconds, like each 10s", text)
	}
	return Scope{Kind: EachWindow, Window: d}, nil
}
