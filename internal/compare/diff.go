package compare

import (
	"fmt"
	"github.com/bploadgen/bploadgen/internal/units"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/bploadgen/bploadgen/internal/assert"
)

// Diff is one parsed difference assertion: METRIC OP ±VALUE [in SCOPE]. It
// bounds NEW − BASE (absolute) or (NEW − BASE)/BASE (Relative).
type Diff struct {
	Raw    string            // the user's text, trimmed
	Metric string            // canonical, as assert.ParseMetric spells it
	Kind   assert.MetricKind // what Metric measures
	Op     string            // "<", "<=", ">" or ">="
	// Value is the signed bound: a fraction of BASE when Relative (+10% is
	// 0.1), else a difference in the metric's unit: seconds, a fraction
	// (+0.5pp is 0.005), or per second.
	Value    float64
	Relative bool
	Scope    Scope
}

// ScopeKind says which parts of the two results a Diff compares.
type ScopeKind int

// The scopes. The zero value is the whole run.
const (
	Run       ScopeKind = iota // the totals
	Stage                      // one stage, Scope.Stage (1-based)
	EachStage                  // every stage, by index
)

// Scope is the "in SCOPE" part of a Diff.
type Scope struct {
	Kind  ScopeKind
	Stage int // Kind == Stage: 1-based
}

func (s Scope) String() string {
	switch s.Kind {
	case Stage:
		return "stage " + strconv.Itoa(s.Stage)
	case EachStage:
		return "each stage"
	}
	return "run"
}

// DiffError is a difference assertion that could not be parsed.
type DiffError struct {
	Expr string
	Msg  string
}

func (e *DiffError) Error() string { return fmt.Sprintf("assert %q: %s", e.Expr, e.Msg) }

// maxTimeDiff bounds a time difference: the longest latency recorded (1h).
const maxTimeDiff = time.Hour

const opRunes = "<>=!≤≥"

var ops = map[string]string{"<": "<", "<=": "<=", ">": ">", ">=": ">=", "≤": "<=", "≥": ">="}

// ParseDiff reads one difference assertion (see the package doc).
func ParseDiff(s string) (Diff, error) {
	raw := strings.TrimSpace(s)
	fail := func(format string, args ...any) (Diff, error) {
		return Diff{}, &DiffError{Expr: raw, Msg: fmt.Sprintf(format, args...)}
	}
	if raw == "" {
		return fail("empty; want METRIC OP ±VALUE [in SCOPE], like p99 < +10%%")
	}
	i := strings.IndexAny(raw, opRunes)
	if i < 0 {
		return fail("no comparison; want METRIC OP ±VALUE, like p99 < +10%%")
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
		return fail("missing metric before %q; want METRIC OP ±VALUE, like p99 < +10%%", raw[i:j])
	}
	metric, kind, err := assert.ParseMetric(metricText)
	if err != nil {
		return fail("%v", err)
	}
	op, ok := ops[raw[i:j]]
	if !ok {
		return fail("unknown operator %q; use <, <=, > or >=", raw[i:j])
	}
	words := strings.Fields(raw[j:])
	in := len(words)
	for k, w := range words {
		if strings.EqualFold(w, "in") {
			in = k
			break
		}
	}
	d := Diff{Raw: raw, Metric: metric, Kind: kind, Op: op}
	if d.Value, d.Relative, err = parseDiffValue(metric, kind, strings.Join(words[:in], "")); err != nil {
		return fail("%v", err)
	}
	if in < len(words) {
		if d.Scope, err = parseScope(words[in+1:]); err != nil {
			return fail("%v", err)
		}
	}
	return d, nil
}

// ParseDiffs parses each assertion in order and stops at the first error.
func ParseDiffs(ss []string) ([]Diff, error) {
	out := make([]Diff, 0, len(ss))
	for _, s := range ss {
		d, err := ParseDiff(s)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// parseDiffValue reads ±VALUE for a metric of kind: "+10%" (relative for
// times and rates, percentage points for ratios), "+0.5pp" (ratios), a
// signed duration for times, a signed plain number for ratios (a fraction)
// and rates (per second).
func parseDiffValue(metric string, kind assert.MetricKind, v string) (float64, bool, error) {
	example := map[assert.MetricKind]string{
		assert.TimeMetric: "+10% or +5ms", assert.RatioMetric: "+0.5% (percentage points) or +0.005",
		assert.RateMetric: "-5% or -20",
	}[kind]
	if v == "" {
		return 0, false, fmt.Errorf("missing difference after the operator; want a signed value like %s", example)
	}
	sign := 1.0
	switch v[0] {
	case '+':
	case '-':
		sign = -1
	default:
		return 0, false, fmt.Errorf("%q has no sign: compare bounds the difference NEW − BASE, so write %s (a plain %s bounds %s itself: that is `run --assert`)",
			v, example, v, metric)
	}
	body := v[1:]
	num, unit := splitUnit(body)
	if !isDecimal(num) {
		return 0, false, fmt.Errorf("%q is not a signed number with an optional unit, like %s", v, example)
	}
	switch {
	case unit == "%" && kind == assert.RatioMetric, unit == "pp" && kind == assert.RatioMetric:
		f, err := decimal(num, -2)
		if err != nil || f > 1 {
			return 0, false, fmt.Errorf("%q: a ratio difference is at most 100 percentage points", v)
		}
		return sign * f, false, nil
	case unit == "pp":
		return 0, false, fmt.Errorf("%q: percentage points (pp) are for ratios; %s takes %s", v, metric, example)
	case unit == "%":
		f, err := decimal(num, -2)
		if err != nil {
			return 0, false, fmt.Errorf("%q: %v", v, err)
		}
		return sign * f, true, nil
	case kind == assert.TimeMetric:
		if unit == "" {
			return 0, false, fmt.Errorf("%q: a time difference needs a unit (ns, us, ms, s, m, h) or %%, like %s", v, example)
		}
		dur, err := time.ParseDuration(body)
		if err != nil {
			return 0, false, fmt.Errorf("%q: %v", v, err)
		}
		if dur > maxTimeDiff {
			return 0, false, fmt.Errorf("%q: a time difference is at most 1h", v)
		}
		return sign * dur.Seconds(), false, nil
	case unit != "":
		return 0, false, fmt.Errorf("%q: unit %q does not fit %s; want %s", v, unit, metric, example)
	}
	f, err := decimal(num, 0)
	if err != nil {
		return 0, false, fmt.Errorf("%q: %v", v, err)
	}
	if kind == assert.RatioMetric && f > 1 {
		return 0, false, fmt.Errorf("%q: a ratio difference is a fraction of at most 1 (or write %%)", v)
	}
	return sign * f, false, nil
}

// splitUnit splits "10%" into "10" and "%", "2.5ms" into "2.5" and "ms".
func splitUnit(s string) (num, unit string) {
	k := 0
	for k < len(s) && (s[k] >= '0' && s[k] <= '9' || s[k] == '.') {
		k++
	}
	return s[:k], s[k:]
}

// decimal parses an unsigned decimal with its point moved by shift places
// (exactly, in text), rejecting values that are not finite.
func decimal(num string, shift int) (float64, error) {
	f, err := strconv.ParseFloat(units.ShiftPoint(num, shift), 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, fmt.Errorf("%q is out of range", num)
	}
	return f, nil
}

// parseScope reads the words after "in".
func parseScope(words []string) (Scope, error) {
	text := strings.ToLower(strings.Join(words, " "))
	switch {
	case text == "run":
		return Scope{Kind: Run}, nil
	case text == "each stage":
		return Scope{Kind: EachStage}, nil
	case len(words) == 2 && strings.EqualFold(words[0], "stage"):
		n, err := strconv.Atoi(words[1])
		if err != nil || n < 1 || n > 1_000_000 {
			return Scope{}, fmt.Errorf("stage %q: want a stage number from 1", words[1])
		}
		return Scope{Kind: Stage, Stage: n}, nil
	case strings.HasPrefix(text, "each "):
		return Scope{}, fmt.Errorf("scope %q: compare has no window scopes (two runs' windows are not aligned); use run, stage N or each stage", text)
	}
	return Scope{}, fmt.Errorf("unknown scope %q; want run, stage N or each stage", text)
}

// isDecimal reports whether s is digits with at most one '.' and at least
// one digit.
func isDecimal(s string) bool {
	i, f, _ := strings.Cut(s, ".")
	return (i == "" || isDigits(i)) && (f == "" || isDigits(f)) && i+f != ""
}

func isDigits(s string) bool {
	for k := 0; k < len(s); k++ {
		if s[k] < '0' || s[k] > '9' {
			return false
		}
	}
	return s != ""
}

// String is the canonical form: "p99 < +10%", "p99 < +5ms",
// "ratio(503) < +0.5pp in each stage", "rps > -20". ParseDiff(d.String())
// yields d again (but for Raw).
func (d Diff) String() string {
	s := d.Metric + " " + d.Op + " " + d.valueString()
	if d.Scope.Kind != Run {
		s += " in " + d.Scope.String()
	}
	return s
}

func (d Diff) valueString() string {
	sign, v := "+", d.Value
	if v < 0 || (v == 0 && math.Signbit(v)) {
		sign, v = "-", -v
	}
	plain := strconv.FormatFloat(v, 'f', -1, 64)
	switch {
	case d.Relative:
		return sign + units.ShiftPoint(plain, 2) + "%"
	case d.Kind == assert.RatioMetric:
		return sign + units.ShiftPoint(plain, 2) + "pp"
	case d.Kind == assert.TimeMetric:
		return sign + time.Duration(math.Round(v*1e9)).String()
	}
	return sign + plain
}
