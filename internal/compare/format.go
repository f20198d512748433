package compare

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// sig formats v with three significant digits, without an exponent.
func sig(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	// below 1: keep three significant digits
	d := int(math.Ceil(-math.Log10(a))) + 2
	return fmt.Sprintf("%.*f", d, v)
}

// seconds formats a time in seconds with a fitting unit: 850µs, 9.37ms, 1.52s.
func seconds(s float64) string {
	a := math.Abs(s)
	switch {
	case a == 0:
		return "0"
	case a >= 1:
		return sig(s) + "s"
	case a >= 1e-3:
		return sig(s*1e3) + "ms"
	case a >= 1e-6:
		return sig(s*1e6) + "µs"
	}
	return sig(s*1e9) + "ns"
}

// value formats a metric value of kind ("time", "ratio", "rate").
func value(kind string, v float64) string {
	switch kind {
	case "time":
		return seconds(v)
	case "ratio":
		return sig(v*100) + "%"
	}
	return sig(v)
}

// delta formats a signed difference: times as durations, ratios in
// percentage points, rates as numbers.
func delta(kind string, d float64) string {
	s := "+"
	if d < 0 {
		s = "-"
	}
	switch kind {
	case "time":
		return s + seconds(math.Abs(d))
	case "ratio":
		return s + sig(math.Abs(d)*100) + "pp"
	}
	return s + sig(math.Abs(d))
}

// noiseText formats a noise band as ±.
func noiseText(kind string, n float64) string {
	return "±" + strings.TrimPrefix(delta(kind, n), "+")
}

// percent formats a relative change: +50.2%.
func percent(rel float64) string {
	if math.IsInf(rel, 0) {
		return fmt.Sprintf("%+.0f", rel)
	}
	s := "+"
	if rel < 0 {
		s = "-"
	}
	return s + sig(math.Abs(rel)*100) + "%"
}

// cells of a row for text and Markdown: base, new, delta, rel, noise, verdict.
func (r Row) cells() []string {
	c := []string{"—", "—", "", "", "", verdictMark(r.Verdict)}
	if r.Base != nil {
		c[0] = value(r.Kind, *r.Base)
	}
	if r.New != nil {
		c[1] = value(r.Kind, *r.New)
	}
	if r.Delta != nil {
		c[2] = delta(r.Kind, *r.Delta)
		if r.Rel != nil && r.Kind != "ratio" {
			c[3] = percent(*r.Rel)
		}
		if r.Verdict != NotJudged {
			c[4] = noiseText(r.Kind, r.Noise)
		}
	}
	return c
}

func verdictMark(v Verdict) string {
	switch v {
	case NoChange:
		return "~"
	case NotJudged:
		return ""
	}
	return string(v)
}

// change summarises a row's change for the verdict line: "+50.2%" for
// times and rates, "+1.2pp" for ratios.
func (r Row) change() string {
	if r.Kind != "ratio" && r.Rel != nil {
		return percent(*r.Rel)
	}
	return delta(r.Kind, *r.Delta)
}

// observed formats a check's observed difference.
func (c Check) observed() string {
	switch {
	case c.Note != "":
		return c.Note
	case c.Relative:
		return percent(c.Observed)
	}
	return delta(c.Kind, c.Observed)
}

// legend explains the verdict column.
func legend(timeBand, rateBand float64) string {
	return fmt.Sprintf("~ no significant change: |delta| is within the noise band: the larger of the "+
		"sampling error (disjoint 95%% order-statistic intervals for percentiles, 3 standard errors for the "+
		"mean, rps and ratios, batch means over the timeline for bursty ratios) and %s of the base for times, "+
		"%s for rps. max is a single sample and is not judged. Ratio deltas are in percentage points (pp).",
		percentPlain(timeBand), percentPlain(rateBand))
}

func percentPlain(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" }
