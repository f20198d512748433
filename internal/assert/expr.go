package assert

import (
	"fmt"

	"math"
	"strconv"
	"strings"
	"time"
)

// Expr is one parsed assertion: METRIC OP VALUE [in SCOPE].
// Two Exprs that mean the same compare equal with == once Raw is ignored.
type Expr struct {
	Raw    string     // the user's text, trimmed
	Metric string     // canonical: "p99", "service.p99.9", "2xx.max", "ratio(5xx)", "rps", "achieved", "goodput", "amplification"
	Kind   MetricKind // what Metric measures, and so the unit of Value
	Op     string     // "<", "<=", ">" or ">="
	Value  float64    // the threshold: seconds, a fraction in [0, 1], or per second
	Scope  Scope
}

// ScopeKind says over what an assertion is evaluated.
type ScopeKind int

// The scope kinds. The zero value is the whole run.
const (
	Run        ScopeKind = iota // the whole run
	Stage                       // one stage, Scope.Stage (1-based)
	EachStage                   // every stage with scheduled requests
	EachWindow                  // every Scope.Window of the timeline with scheduled requests
)

// Scope is the "in SCOPE" part of an assertion, and its "for REQUEST".
type Scope struct {
	Kind  ScopeKind
	Stage int // Kind == Stage: the 1-based stage number (0 until StageName is resolved)
	// StageName is the stage's name when the scope named it (in stage
	// warm-up); Validate and Evaluate resolve it to Stage.
	StageName string
	Window    time.Duration // Kind == EachWindow: a positive whole number of seconds
	// Request, if set, narrows the scope to the requests of that name
	// (result.Stage.ByRequest); never with EachWindow.
	Request string
}

// MetricKind is what a metric measures, which decides its threshold's form.
type MetricKind int

// The metric kinds.
const (
	TimeMetric   MetricKind = iota + 1 // seconds; thresholds are durations
	RatioMetric                        // a fraction in [0, 1]; thresholds are fractions or percentages
	RateMetric                         // per second; thresholds are plain numbers
	FactorMetric                       // a multiple (amplification); thresholds are plain numbers
)

func (k MetricKind) String() string {
	switch k {
	case TimeMetric:
		return "time"
	case RatioMetric:
		return "ratio"
	case RateMetric:
		return "rate"
	case FactorMetric:
		return "factor"
	}
	return "MetricKind(" + strconv.Itoa(int(k)) + ")"
}

// String is the canonical form, "p99 < 250ms in each stage": lower case,
// single spaces, durations in the largest unit of s, ms, us, ns that
// is at least 1, fractions as percentages, and no scope for the whole run.
// Parse(e.String()) yields e again (but for Raw).
func (e Expr) String() string {
	s := e.Metric + " " + e.Op + " " + formatValue(e.Kind, e.Value)
	if e.Scope.Request != "" {
		s += " for " + QuoteRequest(e.Scope.Request)
	}
	if e.Scope.Kind != Run {
		s += " in " + e.Scope.String()
	}
	return s
}

// Quantile is the quantile in (0, 1) of a percentile metric, exactly as
// written in decimal ("p99.9" is 0.999, "2xx.p99" 0.99); ok is false for
// min, max, mean and every metric that is not a time.
func (e Expr) Quantile() (q float64, ok bool) {
	m, err := parseMetric(e.Metric)
	if err != nil || m.kind != TimeMetric || m.pct == 0 {
		return 0, false
	}
	q, err = ParseDecimal(strings.TrimPrefix(m.stat, "p"), -2)
	return q, err == nil
}

// text is what an evaluated part reports as its Expr: the user's text, or
// the canonical form of an Expr built without Parse.
func (e Expr) text() string {
	if e.Raw != "" {
		return e.Raw
	}
	return e.String()
}

// String is the scope as written after "in": "run", "stage 2", "each stage",
// "each 10s" (without the request: see Expr.String).
func (s Scope) String() string {
	switch s.Kind {
	case Run:
		return "run"
	case Stage:
		if s.Stage == 0 && s.StageName != "" {
			return "stage " + QuoteRequest(s.StageName)
		}
		return "stage " + strconv.Itoa(s.Stage)
	case EachStage:
		return "each stage"
	case EachWindow:
		return "each " + formatDuration(s.Window)
	}
	return "ScopeKind(" + strconv.Itoa(int(s.Kind)) + ")"
}

func formatValue(k MetricKind, v float64) string {
	switch k {
	case TimeMetric:
		return formatDuration(time.Duration(math.Round(v * 1e9)))
	case RatioMetric:
		return ShiftPoint(strconv.FormatFloat(v, 'f', -1, 64), 2) + "%"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatDuration writes d exactly in the largest of s, ms, us, ns that is
// at most d: 1.5s, 250ms, 800us, 90s. time.ParseDuration reads it back.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0s"
	}
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	units := []struct {
		name   string
		size   time.Duration
		digits int
	}{{"s", time.Second, 9}, {"ms", time.Millisecond, 6}, {"us", time.Microsecond, 3}, {"ns", 1, 0}}
	for _, u := range units {
		if d < u.size && u.size != 1 {
			continue
		}
		whole, frac := d/u.size, d%u.size
		if frac == 0 {
			return fmt.Sprintf("%s%d%s", sign, whole, u.name)
		}
		f := strings.TrimRight(fmt.Sprintf("%0*d", u.digits, frac), "0")
		return fmt.Sprintf("%s%d.%s%s", sign, whole, f, u.name)
	}
	return "" // unreachable: the ns unit always matches
}

// formatSeconds writes a time offset in seconds: "20s", "2.5s".
func formatSeconds(s float64) string {
	return strconv.FormatFloat(s, 'f', -1, 64) + "s"
}
