package capacity

import (
	"fmt"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
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
		Warnings:       append(s.warningList(), s.rejectionWarnings()...),
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
