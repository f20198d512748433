package capacity

import (
	"context"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// limitRPS is the fake target's true limit for ratio(503) < 1%: its 503
// probability is 1% × (rate/limitRPS)⁴, exactly 1% there.
const limitRPS = 500.0

func quartic(rate float64) float64 { return 0.01 * math.Pow(rate/limitRPS, 4) }

func search(t *testing.T, cfg Config, f *fakeTarget) *result.Capacity {
	t.Helper()
	if f.clock == nil {
		f.clock = newFakeClock()
	}
	doc, err := Search(context.Background(), cfg, f, f.clock)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(doc); err != nil {
		t.Fatalf("the document does not encode: %v", err)
	}
	return doc
}

func ratioConfig(t *testing.T) Config {
	return Config{SLOs: mustParse(t, "ratio(503) < 1%"), Min: 50, Budget: 10 * time.Minute, Precision: DefaultPrecision}
}

// TestSearchFindsTheLimit: ramp from 50 rps, then bisect, to the rate
// where the 503 ratio reaches 1%.
func TestSearchFindsTheLimit(t *testing.T) {
	t.Parallel()
	doc := search(t, ratioConfig(t), &fakeTarget{block: quartic})
	if doc.StoppedBecause != result.StopPrecision {
		t.Fatalf("stopped because %q, want precision (probes: %s)", doc.StoppedBecause, probeList(doc))
	}
	lo, hi := doc.Bracket.PassRPS, doc.Bracket.FailRPS
	if doc.CapacityRPS != lo || !(hi > lo) || hi-lo > DefaultPrecision*lo {
		t.Errorf("capacity %g, bracket [%g, %g]: want the bracket within 5%% of its lower end", doc.CapacityRPS, lo, hi)
	}
	// The tolerance, from the run's statistics: a probe passes when the
	// Wilson interval of its 503 count lies below 1%, so the highest rate
	// that can pass is where the true ratio is 1% less about two
	// half-widths of the largest probe's interval, 2·z·√(0.01/n); the
	// bisection may stop anywhere within the precision below that.
	var nMax int64
	for _, p := range doc.Probes {
		nMax = max(nMax, p.Samples)
	}
	h := queueing.NormalZ(Level) * math.Sqrt(0.01/float64(nMax))
	floor := limitRPS * math.Pow(1-2*h/0.01, 0.25) * (1 - DefaultPrecision)
	if lo > limitRPS || lo < floor {
		t.Errorf("capacity %g rps, want within [%.1f, %g] (probes: %s)", lo, floor, limitRPS, probeList(doc))
	}
	if got := doc.Probes[0].ProposedBy; got != ByMin || doc.Probes[1].ProposedBy != ByRamp {
		t.Errorf("first probes proposed by %s, %s", got, doc.Probes[1].ProposedBy)
	}
	for _, p := range doc.Probes {
		if p.Samples != p.Stage.Scheduled || p.Samples == 0 || len(p.SLOChecks) != 1 {
			t.Errorf("probe %g rps: samples %d, stage scheduled %d, %d checks", p.RateRPS, p.Samples, p.Stage.Scheduled, len(p.SLOChecks))
		}
		if p.Verdict == result.VerdictPass && p.RateRPS > lo || p.Verdict != result.VerdictPass && p.RateRPS < hi {
			t.Errorf("probe %g rps (%s) outside the bracket's logic [%g, %g]", p.RateRPS, p.Verdict, lo, hi)
		}
		if p.Verdict == result.VerdictUncertain && p.Segments < 2 && p.Note == "" {
			t.Errorf("probe %g rps is uncertain but was not extended", p.RateRPS)
		}
	}
}

// TestSearchIsReproducible: the same seeds, the same fake target and the
// same clock give the same document, byte for byte.
func TestSearchIsReproducible(t *testing.T) {
	t.Parallel()
	a, _ := json.Marshal(search(t, ratioConfig(t), &fakeTarget{block: quartic}))
	b, _ := json.Marshal(search(t, ratioConfig(t), &fakeTarget{block: quartic}))
	if string(a) != string(b) {
		t.Error("two searches with the same seeds differ")
	}
}

// TestUncertainAtTheThreshold: a target whose 503 ratio is exactly the
// SLO's at every rate leaves every interval straddling it: the first
// probe is extended, doubling, to its cap (here 8·d0 is longer than a
// fifth of the 3-minute budget: d0, 2d0, 4d0, 8d0, four segments) and
// still counts as not passing, so no capacity is found below --min.
func TestUncertainAtTheThreshold(t *testing.T) {
	t.Parallel()
	f := &fakeTarget{block: func(float64) float64 { return 0.01 }}
	cfg := ratioConfig(t)
	cfg.Budget = 3 * time.Minute
	doc := search(t, cfg, f)
	if len(doc.Probes) != 1 {
		t.Fatalf("%d probes, want 1: %s", len(doc.Probes), probeList(doc))
	}
	p := doc.Probes[0]
	if p.Verdict != result.VerdictUncertain || p.Segments != 4 || !strings.Contains(p.Note, "cap") {
		t.Errorf("probe: verdict %s, %d segments, note %q", p.Verdict, p.Segments, p.Note)
	}
	d0 := firstMeasure(ratioConfig(t).SLOs, 50).Seconds()
	if math.Abs(p.DurationS-MaxExtension*d0) > 1e-6 {
		t.Errorf("measured %g s, want %d × %g", p.DurationS, MaxExtension, d0)
	}
	if doc.StoppedBecause != result.StopMin || doc.CapacityRPS != 0 || doc.Bracket.FailRPS != 50 {
		t.Errorf("stopped %q, capacity %g, bracket %+v", doc.StoppedBecause, doc.CapacityRPS, doc.Bracket)
	}
}

func TestStoppingRules(t *testing.T) {
	t.Parallel()
	t.Run("max", func(t *testing.T) {
		cfg := ratioConfig(t)
		cfg.Max = 300
		doc := search(t, cfg, &fakeTarget{block: quartic})
		last := doc.Probes[len(doc.Probes)-1]
		if doc.StoppedBecause != result.StopMax || doc.CapacityRPS != 300 || last.RateRPS != 300 || last.ProposedBy != ByMax {
			t.Errorf("stopped %q capacity %g, probes %s", doc.StoppedBecause, doc.CapacityRPS, probeList(doc))
		}
	})
	t.Run("min", func(t *testing.T) {
		doc := search(t, ratioConfig(t), &fakeTarget{block: func(float64) float64 { return 0.2 }})
		if doc.StoppedBecause != result.StopMin || doc.CapacityRPS != 0 || len(doc.Probes) != 1 {
			t.Errorf("stopped %q capacity %g, probes %s", doc.StoppedBecause, doc.CapacityRPS, probeList(doc))
		}
	})
	t.Run("budget", func(t *testing.T) {
		cfg := ratioConfig(t)
		cfg.Budget = 40 * time.Second
		doc := search(t, cfg, &fakeTarget{block: quartic})
		if doc.StoppedBecause != result.StopBudget || doc.ElapsedS > cfg.Budget.Seconds() || len(doc.Probes) == 0 {
			t.Errorf("stopped %q after %g s, probes %s", doc.StoppedBecause, doc.ElapsedS, probeList(doc))
		}
	})
	t.Run("interrupted", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		f := &fakeTarget{block: quartic, clock: newFakeClock()}
		f.onRun = func(s Segment) {
			if s.Seq == 3 {
				cancel()
			}
		}
		doc, err := Search(ctx, ratioConfig(t), f, f.clock)
		if err != nil {
			t.Fatal(err)
		}
		if doc.StoppedBecause != result.StopInterrupted || !doc.Interrupted || len(doc.Probes) != 3 || len(f.runs) != 3 {
			t.Errorf("stopped %q interrupted %v, %d probes, %d runs", doc.StoppedBecause, doc.Interrupted, len(doc.Probes), len(f.runs))
		}
		if doc.Probes[2].Note == "" {
			t.Error("the interrupted probe has no note")
		}
	})
}

// limiter is a target with a pure rate limit at limitRPS: below it
// nothing is rejected, above it the excess, 1 − limitRPS/rate.
func limiter(rate float64) float64 { return max(0, 1-limitRPS/rate) }

// TestModelGuided: a forecaster that knows the limit brings the bracket
// to the precision in fewer probes than ramping and bisecting alone, its
// proposals sit just below and above the limit, and the final forecast
// agrees with the measured bracket.
func TestModelGuided(t *testing.T) {
	t.Parallel()
	plain := search(t, ratioConfig(t), &fakeTarget{block: limiter})
	cfg := ratioConfig(t)
	calls := 0
	cfg.Forecast = func(r *result.Result, _ []assert.Expr) *result.CapacityForecast {
		calls++
		if len(r.Stages) < minForecastProbes {
			t.Errorf("forecast asked with %d stages", len(r.Stages))
		}
		return &result.CapacityForecast{RateRPS: limitRPS, BandLowRPS: 0.99 * limitRPS, BandHighRPS: 1.01 * limitRPS}
	}
	guided := search(t, cfg, &fakeTarget{block: limiter})
	if calls == 0 || len(guided.Probes) >= len(plain.Probes) {
		t.Fatalf("guided: %d probes (%s), plain: %d (%s)", len(guided.Probes), probeList(guided), len(plain.Probes), probeList(plain))
	}
	var byModel int
	for _, p := range guided.Probes {
		if p.ProposedBy == ByModel {
			byModel++
			if math.Abs(p.RateRPS/limitRPS-1) > DefaultPrecision {
				t.Errorf("model proposal %g rps, beyond the precision from its limit %g", p.RateRPS, limitRPS)
			}
		}
	}
	f := guided.Predicted
	if byModel == 0 || f == nil || f.Agrees == nil || !*f.Agrees || !strings.Contains(f.Note, "consistent") {
		t.Errorf("%d model probes, predicted %+v", byModel, f)
	}
}

func TestJudgeForecast(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		lo, hi, band0, band1 float64
		want                 bool
	}{
		{400, 420, 410, 430, true},
		{400, 420, 430, 450, false},
		{400, 0, 500, 600, true}, // no failure: anything above the pass agrees
		{400, 0, 300, 350, false},
	} {
		f := &result.CapacityForecast{RateRPS: (tc.band0 + tc.band1) / 2, BandLowRPS: tc.band0, BandHighRPS: tc.band1}
		judgeForecast(f, tc.lo, tc.hi)
		if f.Agrees == nil || *f.Agrees != tc.want || (strings.Contains(f.Note, "DISAGREES") == tc.want) {
			t.Errorf("bracket [%g, %g] band [%g, %g]: agrees %v, note %q", tc.lo, tc.hi, tc.band0, tc.band1, f.Agrees, f.Note)
		}
	}
}

// TestUndeliveredRateDoesNotPass: a target that meets the SLO at any rate,
// behind a generator that cannot send faster than 300 rps: the probes
// above 300 pass the SLO but were not delivered, so they count as not
// passing and the capacity found stays within the generator's reach.
func TestUndeliveredRateDoesNotPass(t *testing.T) {
	t.Parallel()
	cfg := ratioConfig(t)
	cfg.Max = 5000
	doc := search(t, cfg, &fakeTarget{genLimit: 300})
	if doc.CapacityRPS > 300 || doc.CapacityRPS == 0 || doc.StoppedBecause == result.StopMax {
		t.Errorf("capacity %g, stopped %q: want at most the generator's 300 rps (%s)", doc.CapacityRPS, doc.StoppedBecause, probeList(doc))
	}
	for _, p := range doc.Probes {
		if p.RateRPS > 300 && (p.Verdict == result.VerdictPass || !strings.Contains(p.Note, "did not deliver")) {
			t.Errorf("probe %g rps: %s, note %q", p.RateRPS, p.Verdict, p.Note)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	t.Parallel()
	good := ratioConfig(t)
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"min above max", func(c *Config) { c.Min, c.Max = 500, 400 }, "above max"},
		{"no min", func(c *Config) { c.Min = 0 }, "min must be > 0"},
		{"precision", func(c *Config) { c.Precision = 1.5 }, "precision"},
		{"budget too short", func(c *Config) { c.Budget = 2 * time.Second }, "shorter than one probe"},
		{"overload of 1", func(c *Config) { c.Overload = []float64{1} }, "above 1"},
		{"no SLO", func(c *Config) { c.SLOs = nil }, "no SLO"},
	} {
		c := good
		tc.edit(&c)
		if err := c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want %q", tc.name, err, tc.want)
		}
	}
	if err := good.Validate(); err != nil {
		t.Error(err)
	}
}

func TestDefaultMin(t *testing.T) {
	t.Parallel()
	slos := mustParse(t, "p99 < 100ms")
	n := MinSamples(slos[0])
	r := DefaultMin(slos, 5*time.Minute, 0)
	// 24·n/300 s, to two significant digits.
	if want := roundSig(24*float64(n)/300, 2); r != want {
		t.Errorf("DefaultMin = %g, want %g", r, want)
	}
	// The ramp's first probes together: Σ 2n/(r·2^i) ≤ 4n/r, a sixth of the budget.
	if total := 4 * float64(n) / r; total > 300.0/6*1.05 {
		t.Errorf("the slow first probes take %g s of a 300 s budget", total)
	}
	if r := DefaultMin(slos, 5*time.Minute, 10); r != 10 {
		t.Errorf("DefaultMin above --max: %g", r)
	}
}

func probeList(doc *result.Capacity) string {
	var b strings.Builder
	for _, p := range doc.Probes {
		b.WriteString(strings.TrimSpace(strings.Join([]string{"", p.ProposedBy, "@", strconv.FormatFloat(p.RateRPS, 'g', 5, 64), p.Verdict}, " ")))
		b.WriteString("; ")
	}
	return b.String()
}

// TestModelProposesAtItsBand: a model that knows the limit only roughly
// (its band ±20%, its point 3% above the truth) proposes the band's low
// end, where it expects a pass, not just below its point, where the SLO
// sits at its threshold; that probe passes.
func TestModelProposesAtItsBand(t *testing.T) {
	t.Parallel()
	cfg := ratioConfig(t)
	point := 1.03 * limitRPS / 0.99 // limiter: ratio(503) < 1% below limitRPS/0.99
	cfg.Forecast = func(r *result.Result, _ []assert.Expr) *result.CapacityForecast {
		return &result.CapacityForecast{RateRPS: point, BandLowRPS: 0.8 * point, BandHighRPS: 1.2 * point}
	}
	doc := search(t, cfg, &fakeTarget{block: limiter})
	for _, p := range doc.Probes {
		if p.ProposedBy != ByModel {
			continue
		}
		if p.RateRPS > 0.8*point*(1+1e-3) || p.Verdict != result.VerdictPass {
			t.Errorf("first model proposal %g rps (%s), want at most the band's low end %g and a pass; probes %s",
				p.RateRPS, p.Verdict, 0.8*point, probeList(doc))
		}
		return
	}
	t.Fatalf("no model proposal: %s", probeList(doc))
}

// One kind of warning said with each probe's own counts is one warning
// with a repeat count: a search against gunicorn (Connection: close)
// printed the churn warning once per probe, nine times.
func TestWarnKindIgnoresCounts(t *testing.T) {
	s := &searcher{}
	s.warn([]string{
		"the client opened 980 connections for 980 requests sent (at most 6 in flight at once): the target closed its connections",
		"the client opened 1,200 connections for 1,200 requests sent (at most 103 in flight at once): the target closed its connections",
		"the generator fell behind: x",
	})
	s.warn([]string{"the client opened 3,516 connections for 3,516 requests sent (at most 43 in flight at once): the target closed"})
	got := s.warningList()
	if len(got) != 2 || !strings.HasSuffix(got[0], "(and in 2 more segments)") {
		t.Errorf("%q", got)
	}
	if a, b := warnKind("p99 of 1.5ms at stage 2: x"), warnKind("p99 of 22ms at stage 10: y"); a != b {
		t.Errorf("%q != %q", a, b)
	}
}
