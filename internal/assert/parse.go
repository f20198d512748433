package assert

import (
	"errors"
	"fmt"
	"github.com/bploadgen/bploadgen/internal/units"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bploadgen/bploadgen/internal/result"
)

// ParseError is an assertion that could not be parsed or does not fit the
// run. It prints as `assert "p99 < 250": p99 needs a duration with a unit,
// like 250ms`.
type ParseError struct {
	Expr string // the assertion as given, trimmed
	Msg  string // what is wrong
}

func (e *ParseError) Error() string { return fmt.Sprintf("assert %q: %s", e.Expr, e.Msg) }

// maxTime is the largest time threshold: the longest latency a histogram
// records (result.HDRHighestNS, 1h).
const maxTime = time.Duration(result.HDRHighestNS)

const opRunes = "<>=!≤≥"

var ops = map[string]string{"<": "<", "<=": "<=", ">": ">", ">=": ">=", "≤": "<=", "≥": ">="}

// unitWords may stand apart from their number ("250 ms", "1 %").
var unitWords = map[string]bool{"ns": true, "us": true, "µs": true, "μs": true, "ms": true, "s": true, "m": true, "h": true, "%": true}

// Parse reads one assertion, METRIC OP VALUE [in SCOPE] (see the package
// doc). Errors are *ParseError.
func Parse(s string) (Expr, error) {
	raw := strings.TrimSpace(s)
	fail := func(err error) (Expr, error) { return Expr{}, &ParseError{Expr: raw, Msg: err.Error()} }
	if raw == "" {
		return fail(errors.New("empty; want METRIC OP VALUE [in SCOPE], like p99 < 250ms"))
	}
	i := strings.IndexAny(raw, opRunes)
	if i < 0 {
		return fail(errors.New("no comparison; want METRIC OP VALUE, like p99 < 250ms"))
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
		return fail(fmt.Errorf("missing metric before %q; want METRIC OP VALUE, like p99 < 250ms", raw[i:j]))
	}
	m, err := parseMetric(metricText)
	if err != nil {
		return fail(err)
	}
	op, ok := ops[raw[i:j]]
	if !ok {
		return fail(fmt.Errorf("unknown operator %q; use <, <=, > or >=", raw[i:j]))
	}
	valueText, scopeToks, err := splitRest(op, strings.Fields(raw[j:]))
	if err != nil {
		return fail(err)
	}
	v, err := parseThreshold(m, valueText)
	if err != nil {
		return fail(err)
	}
	e := Expr{Raw: raw, Metric: m.name, Kind: m.kind, Op: op, Value: v}
	if scopeToks != nil {
		if e.Scope, err = parseScope(scopeToks); err != nil {
			return fail(err)
		}
	}
	return e, nil
}

// ParseAll parses each assertion in order and stops at the first error.
func ParseAll(ss []string) ([]Expr, error) {
	out := make([]Expr, 0, len(ss))
	for _, s := range ss {
		e, err := Parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Validate checks parsed assertions against a plan of nStages stages, so a
// run can refuse `in stage 5` of a 3-stage plan before sending anything.
// It returns the first problem as a *ParseError.
func Validate(exprs []Expr, nStages int) error {
	for _, e := range exprs {
		if e.Scope.Kind != Stage || (e.Scope.Stage >= 1 && e.Scope.Stage <= nStages) {
			continue
		}
		plural := "s"
		if nStages == 1 {
			plural = ""
		}
		return &ParseError{Expr: e.text(), Msg: fmt.Sprintf("stage %d does not exist; the plan has %d stage%s", e.Scope.Stage, nStages, plural)}
	}
	return nil
}

// splitRest splits the words after the operator into the value and the
// scope's words (nil without "in").
func splitRest(op string, words []string) (value string, scope []string, err error) {
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
		return "", nil, errors.New("missing scope after \"in\"; want run, stage N, each stage or each 10s")
	}
	return value, words[in+1:], nil
}

// parseThreshold reads VALUE for metric m: seconds, a fraction or a rate.
func parseThreshold(m metric, tok string) (float64, error) {
	low := strings.ToLower(tok)
	if strings.HasPrefix(low, "-") {
		return 0, fmt.Errorf("%s: the threshold %s is negative", m.name, tok)
	}
	switch strings.TrimPrefix(low, "+") {
	case "nan", "inf", "infinity":
		return 0, fmt.Errorf("%s: the threshold %s is not a finite number", m.name, tok)
	}
	switch m.kind {
	case TimeMetric:
		return parseTime(m, tok, low)
	case RatioMetric:
		return parseFraction(m, tok, low)
	}
	return parseRate(m, tok, low)
}

func parseTime(m metric, tok, low string) (float64, error) {
	if isDecimal(low) || strings.HasSuffix(low, "%") {
		return 0, fmt.Errorf("%s needs a duration with a unit, like 250ms", m.name)
	}
	d, err := time.ParseDuration(low)
	if err != nil || strings.HasPrefix(low, "+") {
		return 0, fmt.Errorf("%s needs a duration with a unit, like 250ms; %q is not one", m.name, tok)
	}
	if d > maxTime {
		return 0, fmt.Errorf("%s: %s is longer than 1h, the longest time a histogram records", m.name, tok)
	}
	return float64(d) / 1e9, nil
}

func parseFraction(m metric, tok, low string) (float64, error) {
	what := m.name + " is a fraction of the scheduled requests"
	if m.src == srcAchieved {
		what = "achieved is a fraction (sent / scheduled)"
	}
	if pct, ok := strings.CutSuffix(low, "%"); ok && isDecimal(pct) {
		v, err := parseDecimal(units.ShiftPoint(pct, -2))
		if err != nil || v > 1 {
			return 0, fmt.Errorf("%s: %s is above 100%%", what, tok)
		}
		return v, nil
	}
	if isDecimal(low) {
		v, err := parseDecimal(low)
		if err != nil || v > 1 {
			return 0, fmt.Errorf("%s: %s is above 1 (for a percentage write %s%%)", what, tok, tok)
		}
		return v, nil
	}
	if _, err := time.ParseDuration(low); err == nil {
		return 0, fmt.Errorf("%s needs a fraction or a percentage, like 0.01 or 1%%, not a duration", m.name)
	}
	return 0, fmt.Errorf("%s needs a fraction or a percentage, like 0.01 or 1%%; %q is neither", m.name, tok)
}

func parseRate(m metric, tok, low string) (float64, error) {
	if isDecimal(low) {
		v, err := parseDecimal(low)
		if err != nil {
			return 0, fmt.Errorf("%s: %s is too large", m.name, tok)
		}
		return v, nil
	}
	return 0, fmt.Errorf("%s needs a number of 2xx responses per second, like 100; %q is not one", m.name, tok)
}

// parseDecimal reads an unsigned decimal (isDecimal); it fails only when the
// value overflows to infinity.
func parseDecimal(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is too large", s)
	}
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	return v, nil // an underflow rounds towards 0, which is what was meant
}

// parseScope reads the words after "in". Spaces inside are optional.
func parseScope(words []string) (Scope, error) {
	text := strings.Join(words, " ")
	c := strings.ToLower(strings.Join(words, ""))
	if c == "run" {
		return Scope{Kind: Run}, nil
	}
	if num, ok := strings.CutPrefix(c, "stage"); ok {
		n, err := strconv.Atoi(num)
		if err != nil || !isDigits(num) || n < 1 {
			return Scope{}, fmt.Errorf("scope %q: want a stage number from 1, like stage 2", text)
		}
		return Scope{Kind: Stage, Stage: n}, nil
	}
	rest, ok := strings.CutPrefix(c, "each")
	if !ok {
		return Scope{}, fmt.Errorf("unknown scope %q; want run, stage N, each stage or each 10s", text)
	}
	switch {
	case rest == "stage" || rest == "stages":
		return Scope{Kind: EachStage}, nil
	case rest == "":
		return Scope{}, fmt.Errorf("scope %q: want each stage or each 10s", text)
	case isDecimal(rest):
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
