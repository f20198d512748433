package assert

import (
	"fmt"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// maxTime is the largest time threshold: the longest latency a histogram
// records (result.HDRHighestNS, 1h).
const maxTime = time.Duration(result.HDRHighestNS)

// Parse reads one assertion, METRIC OP VALUE [in SCOPE] (see the package
// doc). Errors are *ParseError.
func Parse(s string) (Expr, error) {
	c, err := Scan(s, GateForm)
	if err != nil {
		return Expr{}, err
	}
	v, err := parseThreshold(c.m, c.Value)
	if err != nil {
		return Expr{}, &ParseError{Expr: c.Raw, Msg: err.Error()}
	}
	return Expr{Raw: c.Raw, Metric: c.Metric, Kind: c.Kind, Op: c.Op, Value: v, Scope: c.Scope}, nil
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

// Validate checks parsed assertions against a plan whose stages have
// the given names, so a run can refuse `in stage 5` of a 3-stage plan,
// or `in stage peak` of a plan with no stage of that name, before sending
// anything; and it resolves each stage named to its number, in place. It
// returns the first problem as a *ParseError.
func Validate(exprs []Expr, stageNames []string) error {
	nStages := len(stageNames)
	for i := range exprs {
		e := &exprs[i]
		if e.Scope.Kind == Stage && e.Scope.StageName != "" {
			n, err := StageNumber(e.Scope.StageName, stageNames)
			if err != nil {
				return &ParseError{Expr: e.text(), Msg: err.Error()}
			}
			e.Scope.Stage = n
		}
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

// StageNumber is the 1-based number of the one stage called name among
// names (exactly, case and all); an error says when none or several are.
func StageNumber(name string, names []string) (int, error) {
	n := 0
	for i, s := range names {
		if s != name {
			continue
		}
		if n > 0 {
			return 0, fmt.Errorf("stages %d and %d are both called %s: name it by number", n, i+1, QuoteRequest(name))
		}
		n = i + 1
	}
	if n == 0 {
		quoted := make([]string, len(names))
		for i, s := range names {
			quoted[i] = QuoteRequest(s)
		}
		return 0, fmt.Errorf("no stage is called %s; the stages: %s", QuoteRequest(name), strings.Join(quoted, ", "))
	}
	return n, nil
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
	case FactorMetric:
		return parseFactor(m, tok, low)
	}
	return parseRate(m, tok, low)
}

func parseTime(m metric, tok, low string) (float64, error) {
	if IsDecimal(low) || strings.HasSuffix(low, "%") {
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
	if pct, ok := strings.CutSuffix(low, "%"); ok && IsDecimal(pct) {
		v, err := ParseDecimal(pct, -2)
		if err != nil || v > 1 {
			return 0, fmt.Errorf("%s: %s is above 100%%", what, tok)
		}
		return v, nil
	}
	if IsDecimal(low) {
		v, err := ParseDecimal(low, 0)
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
	if IsDecimal(low) {
		v, err := ParseDecimal(low, 0)
		if err != nil {
			return 0, fmt.Errorf("%s: %s is too large", m.name, tok)
		}
		return v, nil
	}
	what := "2xx responses"
	if m.src == srcGoodput {
		what = "requests that ended 2xx"
	}
	return 0, fmt.Errorf("%s needs a number of %s per second, like 100; %q is not one", m.name, what, tok)
}

// parseFactor reads a multiple, a plain number: "amplification < 1.5".
func parseFactor(m metric, tok, low string) (float64, error) {
	if IsDecimal(low) {
		v, err := ParseDecimal(low, 0)
		if err != nil {
			return 0, fmt.Errorf("%s: %s is too large", m.name, tok)
		}
		return v, nil
	}
	return 0, fmt.Errorf("%s needs a plain number (attempts per scheduled request), like 1.5; %q is not one", m.name, tok)
}
