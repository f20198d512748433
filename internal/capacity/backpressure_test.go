package capacity

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

func overloadConfig(t *testing.T) Config {
	cfg := ratioConfig(t)
	cfg.SLOs = mustParse(t, "p99 < 50ms")
	cfg.Overload = DefaultOverload
	cfg.Precision = 0.2 // the overload probes are the point: a coarse bracket will do
	cfg.Min = 400       // near the fake's limit: fewer probes before them
	return cfg
}

// fastBelow: 2 ms service below the limit, 20 ms above it (a full
// bounded queue), so a p99 SLO of 50 ms holds below and above the limit
// alike; the 503s decide.
func fastBelow(rate float64) time.Duration {
	if rate > limitRPS {
		return 10 * time.Millisecond
	}
	return 2 * time.Millisecond
}

func TestBackpressure(t *testing.T) {
	t.Parallel()
	slowAbove := func(rate float64) time.Duration { return fastBelow(rate) * 10 }
	for _, tc := range []struct {
		name      string
		cfg       func(*Config)
		target    *fakeTarget
		verdict   string
		decidedBy string
	}{
		{"a bounded queue holds", func(c *Config) { c.SLOs = mustParse(t, "ratio(503) < 1%") },
			&fakeTarget{latency: true, block: limiter, svc: fastBelow}, result.BackpressureHolds, ""},
		{"a queue without bound fails on latency", nil,
			&fakeTarget{latency: true, svc: func(r float64) time.Duration {
				if r > limitRPS {
					return 40 * time.Millisecond
				}
				return 2 * time.Millisecond
			}, grow: func(r float64) float64 { return max(0, r/limitRPS-1) * 3 }},
			result.BackpressureFails, CheckLatency},
		{"timeouts instead of 503s fail", func(c *Config) { c.SLOs = mustParse(t, "ratio(timeout) < 1%") },
			&fakeTarget{latency: true, block: limiter, svc: fastBelow, timeouts: true}, result.BackpressureFails, CheckRejects},
		{"collapsing goodput fails", func(c *Config) { c.SLOs = mustParse(t, "ratio(503) < 1%") },
			&fakeTarget{latency: true, block: func(r float64) float64 {
				if r > limitRPS*1.01 {
					return 1 - 0.5*limitRPS/r
				}
				return 0
			}, svc: fastBelow}, result.BackpressureFails, CheckGoodput},
		{"never pushed past what it serves", func(c *Config) { c.SLOs = mustParse(t, "p99 < 100ms") },
			&fakeTarget{latency: true, svc: slowAbove}, result.BackpressureUnknown, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := overloadConfig(t)
			if tc.cfg != nil {
				tc.cfg(&cfg)
			}
			doc := search(t, cfg, tc.target)
			bp := doc.Backpressure
			if bp == nil {
				t.Fatal("no backpressure verdict")
			}
			if bp.Verdict != tc.verdict || bp.DecidedBy != tc.decidedBy {
				t.Errorf("verdict %s decided by %q, want %s by %q; checks %+v; note %q; capacity %g",
					bp.Verdict, bp.DecidedBy, tc.verdict, tc.decidedBy, bp.Checks, bp.Note, doc.CapacityRPS)
			}
			if doc.CapacityRPS > 0 && len(doc.Overload) != len(DefaultOverload) {
				t.Errorf("%d overload probes", len(doc.Overload))
			}
			for i, o := range doc.Overload {
				if o.Multiple != DefaultOverload[i] || o.RateRPS != roundSig(o.Multiple*doc.CapacityRPS, 4) || len(o.Checks) < 3 {
					t.Errorf("overload probe %+v", o)
				}
			}
			for _, c := range bp.Checks {
				if c.Detail == "" || !strings.Contains(c.Detail, "×:") {
					t.Errorf("check %s has no per-multiple detail: %q", c.Name, c.Detail)
				}
			}
		})
	}
}

func TestRetryAfterAndCounter(t *testing.T) {
	t.Parallel()
	smp := &result.Samples{Responses: map[string]result.ResponseSample{"503": {Headers: map[string]string{"Content-Type": "text/plain"}}}}
	if c, ok := retryAfterCheck(smp); !ok || c.OK {
		t.Errorf("a 503 without Retry-After: %+v %v", c, ok)
	}
	if _, ok := retryAfterCheck(&result.Samples{}); ok {
		t.Error("no 503/429 sampled: the check should be absent")
	}
	st := &result.Stage{StartS: 0, EndS: 5, Status: map[string]int64{"200": 1000, "503": 500}}
	tl := make([]result.Window, 5)
	for i := range tl {
		tl[i] = result.Window{TS: float64(i), DurationS: 1, Scrape: map[string]float64{"rate(app_shed_total)": 100, "rate(other_total)": 7}}
	}
	c, ok := counterCheck(st, tl, nil)
	if !ok || !c.OK || !strings.Contains(c.Detail, "app_shed_total") {
		t.Errorf("a counter that moves with the 503s: %+v %v", c, ok)
	}
	for i := range tl {
		tl[i].Scrape["rate(app_shed_total)"] = 10
	}
	if c, _ := counterCheck(st, tl, nil); c.OK {
		t.Errorf("a counter that misses 450 of 500 rejections: %+v", c)
	}
	// Two counters that together count the rejections (admission and
	// queue timeouts, as the built-in target's deadline policy keeps them).
	for i := range tl {
		tl[i].Scrape["rate(app_shed_total)"] = 60
		tl[i].Scrape["rate(app_timed_out_total)"] = 40
	}
	if c, _ := counterCheck(st, tl, nil); !c.OK || !strings.Contains(c.Detail, "app_shed_total + app_timed_out_total") {
		t.Errorf("two counters summing to the 503s: %+v", c)
	}
	if _, ok := counterCheck(st, tl, []string{"nonexistent_total"}); ok {
		t.Error("a named counter that was not scraped: the check should be absent")
	}
	delete(tl[2].Scrape, "rate(app_timed_out_total)")
	if _, ok := counterCheck(st, tl, nil); ok {
		t.Error("a window whose scrape failed: the check should be absent, not judged on part of the probe")
	}
}

// TestGoodputOverTheTail: a queue without bound answers every request
// of an overload probe, but long after it: 1 s of warm-up and 3 s at
// 1,170 rps to a target that serves 400/s leave 3,080 queued, answered
// over 7.7 s more. Counted over the measured length its goodput is the
// offered 1,170/s; over the time it took to serve them, the 400/s it is.
func TestGoodputOverTheTail(t *testing.T) {
	ref := &probe{stage: result.Stage{StartS: 0, EndS: 8, ThroughputRPS: 365}, served2xx: 365 * 9, elapsed: 9.02}
	over := &probe{stage: result.Stage{StartS: 0, EndS: 3, ThroughputRPS: 1170}, served2xx: 4 * 1170, elapsed: 4 * 1170 / 400.0}
	c := goodputCheck(served(over), served(ref))
	if !c.OK || !strings.HasPrefix(c.Detail, "400 2xx/s") {
		t.Errorf("served at 400/s, the capacity's 365: %+v", c)
	}
	// The same probe served at 200/s: a collapse.
	over.elapsed = 4 * 1170 / 200.0
	if c := goodputCheck(served(over), served(ref)); c.OK || !strings.Contains(c.Detail, "collapsed") {
		t.Errorf("served at 200/s against 365: %+v", c)
	}
	// Without the segments' totals (a fake prober): the measured stage.
	if c := goodputCheck(served(&probe{stage: over.stage}), served(ref)); !c.OK || !strings.HasPrefix(c.Detail, "1,170 2xx/s") {
		t.Errorf("the measured stage alone: %+v", c)
	}
}

// TestUnjudgedFailures: HAProxy past its server timeout answered 504 to
// nearly every request of the probe at the capacity, which passed
// `p99 < 50ms, ratio(503) < 1%` (the 504s came at 30 ms): a warning names
// them and the ratio that would judge them, unless an SLO already does.
// The goodput check has no capacity 2xx to compare with and says so.
func TestUnjudgedFailures(t *testing.T) {
	st := result.Stage{Status: map[string]int64{"200": 1, "504": 1649}, Errors: map[string]int64{"timeout": 0}}
	s := &searcher{lo: 825, probes: []*probe{{rate: 825, verdict: result.VerdictPass, stage: st}},
		cfg: Config{SLOs: mustParse(t, "p99 < 50ms", "ratio(503) < 1%")}}
	w := s.unjudgedWarnings()
	want := "at the capacity probe (825 rps) 1,649 of 1,650 requests failed without a 503/429 (the most: 504 ×1,649), which no SLO judges"
	if len(w) != 1 || !strings.HasPrefix(w[0], want) || !strings.Contains(w[0], "add ratio(5xx) < 1%") {
		t.Errorf("warnings %q, want %q", w, want)
	}
	for _, slo := range []string{"ratio(5xx) < 1%", "ratio(504) < 1%", "ratio(2xx) > 99%", "rps > 800"} {
		s.cfg.SLOs = mustParse(t, "p99 < 50ms", slo)
		if w := s.unjudgedWarnings(); len(w) != 0 {
			t.Errorf("with %q: %q", slo, w)
		}
	}
	s.probes[0].stage.Status = map[string]int64{"200": 1640, "504": 10}
	s.cfg.SLOs = mustParse(t, "p99 < 50ms")
	if w := s.unjudgedWarnings(); len(w) != 0 {
		t.Errorf("10 of 1,650 (under 1%%): %q", w)
	}
	if c := goodputCheck(servedRate{0, 3}, servedRate{0, 3}); !c.OK || c.Detail != "the capacity probe served no 2xx: nothing to compare with" {
		t.Errorf("goodput against no 2xx: %+v", c)
	}
}
