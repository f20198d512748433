package assert

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bploadgen/bploadgen/internal/result"
)

// family is the distribution a time metric reads.
type family int

const (
	famLatency    family = iota // latency_s: from the intended send time
	famLatency2xx               // latency_2xx_s
	famService                  // service_time_s: from the actual send time
	nFamilies
)

// source is where a metric's value comes from.
type source int

const (
	srcTime source = iota
	srcRatio
	srcRPS
	srcAchieved
	srcGoodput       // logical requests that ended 2xx, per second
	srcAmplification // attempts ÷ scheduled (client retries)
)

// metric is a parsed METRIC.
type metric struct {
	name  string // canonical
	kind  MetricKind
	src   source
	fam   family  // srcTime
	stat  string  // srcTime: canonical statistic without the family: "p99", "min", "max", "mean"
	pct   float64 // srcTime, when stat is a percentile: in (0, 100)
	class string  // srcRatio: canonical class for result.Count
}

const metricHint = "want p50, p90, p95, p99, p99.9, p99.99, min, max or mean " +
	"(prefixed service. or 2xx. for those distributions), ratio(CLASS), rps, achieved, goodput or amplification"

const classHint = "want a status code (503), a status class (5xx), errors, not_sent, " +
	"or an error class (timeout, connect, reset, other, canceled)"

// ParseMetric reads a METRIC as the grammar spells it and returns its
// canonical name ("P99" -> "p99", "ratio( 5XX )" -> "ratio(5xx)") and kind.
func ParseMetric(s string) (name string, kind MetricKind, err error) {
	m, err := parseMetric(s)
	if err != nil {
		return "", 0, err
	}
	return m.name, m.kind, nil
}

func parseMetric(s string) (metric, error) {
	low := strings.ToLower(strings.TrimSpace(s))
	if strings.HasPrefix(low, "ratio") {
		compact := strings.Join(strings.Fields(low), "")
		inner, ok := strings.CutPrefix(compact, "ratio(")
		if ok {
			inner, ok = strings.CutSuffix(inner, ")")
		}
		if !ok {
			return metric{}, fmt.Errorf("%q: write a ratio as ratio(CLASS), like ratio(5xx)", s)
		}
		class, err := parseClass(inner)
		if err != nil {
			return metric{}, err
		}
		return metric{name: "ratio(" + class + ")", kind: RatioMetric, src: srcRatio, class: class}, nil
	}
	switch low {
	case "rps":
		return metric{name: low, kind: RateMetric, src: srcRPS}, nil
	case "achieved":
		return metric{name: low, kind: RatioMetric, src: srcAchieved}, nil
	case "goodput":
		return metric{name: low, kind: RateMetric, src: srcGoodput}, nil
	case "amplification":
		return metric{name: low, kind: FactorMetric, src: srcAmplification}, nil
	}
	fam, prefix, rest := famLatency, "", low
	if r, ok := strings.CutPrefix(low, "service."); ok {
		fam, prefix, rest = famService, "service.", r
	} else if r, ok := strings.CutPrefix(low, "2xx."); ok {
		fam, prefix, rest = famLatency2xx, "2xx.", r
	}
	stat, pct, err := parseStat(rest)
	if err != nil {
		if errors.Is(err, errUnknownStat) {
			return metric{}, fmt.Errorf("unknown metric %q; %s", s, metricHint)
		}
		return metric{}, fmt.Errorf("unknown metric %q; %w", s, err)
	}
	return metric{name: prefix + stat, kind: TimeMetric, src: srcTime, fam: fam, stat: stat, pct: pct}, nil
}

var errUnknownStat = errors.New("unknown statistic")

// parseStat reads "min", "max", "mean" or "pX" (lower case).
func parseStat(s string) (stat string, pct float64, err error) {
	switch s {
	case "min", "max", "mean":
		return s, 0, nil
	}
	num, ok := strings.CutPrefix(s, "p")
	if !ok || !IsDecimal(num) {
		return "", 0, errUnknownStat
	}
	switch strings.TrimLeft(num, "0") {
	case "999":
		return "", 0, errors.New("did you mean p99.9?")
	case "9999":
		return "", 0, errors.New("did you mean p99.99?")
	}
	p, err := strconv.ParseFloat(num, 64)
	if err != nil || !(p > 0 && p < 100) {
		return "", 0, errors.New("a percentile is above 0 and below 100 (min and max are the ends)")
	}
	return "p" + strconv.FormatFloat(p, 'f', -1, 64), p, nil
}

// parseClass checks a ratio class (lower case) against what result.Count
// understands.
func parseClass(c string) (string, error) {
	switch {
	case c == "errors" || c == "not_sent":
		return c, nil
	case len(c) == 3 && c[1:] == "xx" && c[0] >= '1' && c[0] <= '5':
		return c, nil
	case len(c) == 3 && isDigits(c):
		if code, _ := strconv.Atoi(c); code >= 100 && code <= 599 {
			return c, nil
		}
		return "", fmt.Errorf("ratio(%s): a status code is 100 to 599", c)
	}
	for _, e := range result.ErrorClasses {
		if c == e {
			return c, nil
		}
	}
	return "", fmt.Errorf("unknown class %q in ratio(%s); %s", c, c, classHint)
}
