package capacity

import (
	"fmt"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// document is the search as result.Capacity: what the caller adds is the
// tool and the request's description beyond what the probes recorded.
func (s *searcher) document() *result.Capacity {
	c := &result.Capacity{
		Schema:         result.CapacitySchema,
		Target:         s.target,
		Arrival:        s.arrival(),
		StartedAt:      s.start.UTC().Round(time.Millisecond),
		CapacityRPS:    s.lo,
		Bracket:        result.CapacityBracket{PassRPS: s.lo, FailRPS: s.hi},
		Probes:         []result.CapacityProbe{},
		ElapsedS:       s.elapsed().Seconds(),
		StoppedBecause: s.stopped,
		Interrupted:    s.stopped == result.StopInterrupted,
		Overload:       s.overload,
		Backpressure:   s.backpressure(),
		Warnings:       append(append(s.warningList(), s.rejectionWarnings()...), s.unjudgedWarnings()...),
		Settings: result.CapacitySettings{
			MinRPS: s.cfg.Min, MaxRPS: s.cfg.Max, BudgetS: s.cfg.Budget.Seconds(),
			Precision: s.cfg.Precision, Overload: s.cfg.Overload, Level: Level,
		},
	}
	if s.cfg.Require > 0 {
		met := c.CapacityRPS >= s.cfg.Require
		c.Settings.RequireRPS, c.RequireMet = s.cfg.Require, &met
	}
	for _, e := range s.cfg.SLOs {
		raw := e.Raw
		if raw == "" {
			raw = e.String()
		}
		c.SLO = append(c.SLO, raw)
	}
	for i, p := range s.probes {
		c.Probes = append(c.Probes, p.record(i+1))
	}
	if s.cfg.Forecast != nil && len(s.probes)+len(s.overloadRuns) >= minForecastProbes {
		c.Predicted = s.cfg.Forecast(s.asResult(), s.cfg.SLOs)
		judgeForecast(c.Predicted, s.lo, s.lowestFail())
	}
	return c
}

// lowestFail is the lowest rate a probe judged to fail (0: none).
func (s *searcher) lowestFail() float64 {
	low := 0.0
	for _, p := range s.probes {
		if p.verdict == result.VerdictFail && (low == 0 || p.rate < low) {
			low = p.rate
		}
	}
	return low
}

// rejectionWarnings: a time SLO over every response (p99, mean, not
// 2xx.p99) counts fast 503/429 answers, so past the capacity it can fall
// again as more requests are turned away; the search assumes an SLO that
// fails once the rate is too high.
func (s *searcher) rejectionWarnings() []string {
	turned := false
	for _, p := range s.probes {
		turned = turned || p.stage.Status["503"]+p.stage.Status["429"] > 0
	}
	var out []string
	for _, e := range s.cfg.SLOs {
		if turned && e.Kind == assert.TimeMetric && familyOf(e.Metric) != "2xx" {
			out = append(out, fmt.Sprintf("SLO %q counts the fast 503/429 answers too: past the capacity it can improve as more requests are turned away, which misleads a search; 2xx.%s judges only the requests served",
				e.Raw, strings.TrimPrefix(e.Metric, "service.")))
		}
	}
	return out
}

// unjudgedWarnings: answers neither 2xx nor 503/429, and transport errors,
// are failed requests that SLOs on latency and on the 503 ratio do not
// see. When the highest probe that passed had more than maxOtherShare of
// them and no SLO judges them (a ratio of 2xx, of errors, of their code or
// class, or a throughput), the capacity may be a rate at which the target
// no longer served: HAProxy answering 504 past its server timeout passed
// `p99 < 50ms, ratio(503) < 1%` at 825 rps with no 2xx at all.
func (s *searcher) unjudgedWarnings() []string {
	var at *probe
	for _, p := range s.probes {
		if p.verdict == result.VerdictPass && p.rate == s.lo {
			at = p
		}
	}
	if at == nil {
		return nil
	}
	st := &at.stage
	var failed, total int64
	top, topN := "", int64(0)
	for code, n := range st.Status {
		total += n
		if strings.HasPrefix(code, "2") || code == "503" || code == "429" {
			continue
		}
		failed += n
		if n > topN || n == topN && code < top {
			top, topN = code, n
		}
	}
	for class, n := range st.Errors {
		total += n
		failed += n
		if n > topN || n == topN && class < top {
			top, topN = class, n
		}
	}
	if total == 0 || float64(failed) <= maxOtherShare*float64(total) {
		return nil
	}
	judged := map[string]bool{"rps": true, "goodput": true, "ratio(2xx)": true, "ratio(errors)": true, "ratio(" + top + ")": true}
	if len(top) == 3 && top[0] >= '1' && top[0] <= '5' {
		judged["ratio("+top[:1]+"xx)"] = true
	}
	for _, e := range s.cfg.SLOs {
		if judged[e.Metric] {
			return nil
		}
	}
	return []string{fmt.Sprintf("at the capacity probe (%s rps) %s of %s requests failed without a 503/429 (the most: %s ×%s), which no SLO judges: the capacity may be a rate at which the target no longer served (add ratio(%s) < 1%%, or a throughput SLO such as rps)",
		numfmt.Rate(at.rate), numfmt.Int(failed), numfmt.Int(total), top, numfmt.Int(topN), otherRatio(top))}
}

// otherRatio is the ratio an SLO would name for a failure: a status's
// class ("5xx" for 504), "errors" for a transport error class.
func otherRatio(top string) string {
	if len(top) == 3 && top[0] >= '1' && top[0] <= '5' {
		return top[:1] + "xx"
	}
	return "errors"
}
