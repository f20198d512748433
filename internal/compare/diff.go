package compare

import (
	"fmt"
	"math"
	"strconv"
	"time"

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
	Scope    assert.Scope // run, stage N or each stage
}

// diffForm is compare's gate form: a signed difference, no window scopes.
var diffForm = assert.Form{Value: "±VALUE", Example: "p99 < +10%",
	NoWindows:  "compare has no window scopes (two runs' windows are not aligned); use run, stage N or each stage",
	NoRequests: "compare's gates judge the whole traffic; gate a request with run --assert or merge --assert"}

// maxTimeDiff bounds a time difference: the longest latency recorded (1h).
const maxTimeDiff = time.Hour

// ParseDiff reads one difference assertion (see the package doc).
func ParseDiff(s string) (Diff, error) {
	c, err := assert.Scan(s, diffForm)
	if err != nil {
		return Diff{}, err
	}
	d := Diff{Raw: c.Raw, Metric: c.Metric, Kind: c.Kind, Op: c.Op, Scope: c.Scope}
	if d.Value, d.Relative, err = parseDiffValue(c.Metric, c.Kind, c.Value); err != nil {
		return Diff{}, &assert.ParseError{Expr: c.Raw, Msg: err.Error()}
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
		assert.RateMetric: "-5% or -20", assert.FactorMetric: "+10% or +0.2",
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
		return 0, false, fmt.Errorf("%q has no sign: compare bounds the difference NEW − BASE, so write %s (a plain %s bounds %s itself, as a gate on one run does)",
			v, example, v, metric)
	}
	body := v[1:]
	num, unit := splitUnit(body)
	if !assert.IsDecimal(num) {
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

// decimal parses an unsigned decimal with its point moved by shift
// places (exactly, in text), rejecting values that are not finite.
func decimal(num string, shift int) (float64, error) {
	f, err := assert.ParseDecimal(num, shift)
	if err != nil {
		return 0, fmt.Errorf("%q is out of range", num)
	}
	return f, nil
}

// String is the canonical form: "p99 < +10%", "p99 < +5ms",
// "ratio(503) < +0.5pp in each stage", "rps > -20". ParseDiff(d.String())
// yields d again (but for Raw).
func (d Diff) String() string {
	s := d.Metric + " " + d.Op + " " + d.valueString()
	if d.Scope.Kind != assert.Run {
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
		return sign + assert.ShiftPoint(plain, 2) + "%"
	case d.Kind == assert.RatioMetric:
		return sign + assert.ShiftPoint(plain, 2) + "pp"
	case d.Kind == assert.TimeMetric:
		return sign + time.Duration(math.Round(v*1e9)).String()
	}
	return sign + plain
}

// ParseBand reads a relative noise band (Options.TimeBand), "5%" or
// "0.05", as a fraction in (0, 1]. Errors quote s.
func ParseBand(s string) (float64, error) {
	v, err := assert.ParseFraction(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a percentage like 5%% or a fraction like 0.05", s)
	}
	if !(v > 0 && v <= 1) {
		return 0, fmt.Errorf("%q: want more than 0%% and at most 100%%", s)
	}
	return v, nil
}
