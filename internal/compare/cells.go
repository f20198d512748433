package compare

import (
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
)

// value formats a metric value of kind ("time", "ratio", "rate").
func value(kind string, v float64) string {
	switch kind {
	case "time":
		return numfmt.FixedDuration(v)
	case "ratio":
		return numfmt.Fixed3(v*100) + "%"
	}
	return numfmt.Fixed3(v)
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
		return s + numfmt.FixedDuration(math.Abs(d))
	case "ratio":
		return s + numfmt.Fixed3(math.Abs(d)*100) + "pp"
	}
	return s + numfmt.Fixed3(math.Abs(d))
}

// noiseText formats a noise band as ±.
func noiseText(kind string, n float64) string {
	return "±" + strings.TrimPrefix(delta(kind, n), "+")
}

// cells of a row for text and Markdown: base, new, delta, rel, noise, verdict.
func (r Row) cells() []string {
	c := []string{"—", "—", "", "", "", verdictMark(r.Verdict)}
	if r.Note != "" {
		c[5] = "not judged"
	}
	if r.Base != nil {
		c[0] = value(r.Kind, *r.Base)
	}
	if r.New != nil {
		c[1] = value(r.Kind, *r.New)
	}
	if r.Delta != nil {
		c[2] = delta(r.Kind, *r.Delta)
		if r.Rel != nil && r.Kind != "ratio" {
			c[3] = numfmt.Change(*r.Rel)
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
		return numfmt.Change(*r.Rel)
	}
	return delta(r.Kind, *r.Delta)
}

// observed formats a check's observed difference.
func (c Check) observed() string {
	switch {
	case c.Note != "":
		return c.Note
	case c.Relative:
		return numfmt.Change(c.Observed)
	}
	return delta(c.Kind, c.Observed)
}

// legend explains the verdict column, and the rows not judged because
// the share answered 2xx changed when there are any.
func (r *Report) legend() string {
	l := legendText(r.TimeBand, r.RateBand)
	for _, sc := range r.Sections {
		for _, row := range sc.Rows {
			if row.Note == MixNote {
				return l + " Where the share of responses answered 2xx changed by more than 1 point and 3 standard errors, " +
					"the latencies of all responses (p50, p90, p99, mean, service.p99) mix in a different share of non-2xx answers " +
					"(fast 503s or 502s make a target that sheds more look faster): not judged there; 2xx.p99 is."
			}
		}
	}
	return l
}

func legendText(timeBand, rateBand float64) string {
	return fmt.Sprintf("~ no significant change: |delta| is within the noise band: the larger of the "+
		"sampling error (disjoint 95%% order-statistic intervals for percentiles, 3 standard errors for the "+
		"mean, rps and ratios, batch means over the timeline for bursty ratios) and %s of the base for times, "+
		"%s for rps. max is a single sample and is not judged. Ratio deltas are in percentage points (pp).",
		numfmt.PercentExact(timeBand), numfmt.PercentExact(rateBand))
}
