package capacity

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Config is a search: what to judge, where, and how long.
type Config struct {
	SLOs []assert.Expr
	// Min is the first and lowest probe rate (DefaultMin chooses one);
	// Max, when > 0, the highest.
	Min, Max float64
	Budget   time.Duration
	// Precision stops the search when the bracket's width is within this
	// fraction of its lower end (DefaultPrecision).
	Precision float64
	// Arrival is the probes' arrival process ("uniform" or "poisson"),
	// recorded and given to the model.
	Arrival string
	// Overload lists the multiples of the capacity found to probe after
	// the search (nil: none).
	Overload []float64
	// Timeout is the per-request timeout of the probes (for the cooldown).
	Timeout time.Duration
	// Forecast, if set, fits a queueing model to the probes so far and
	// predicts the highest rate meeting every SLO (see ModelForecaster).
	Forecast Forecaster
	// RejectCounters name the target's scraped counters of requests it
	// turned away, for the backpressure check (--reject-metric; none:
	// those whose names have reject, shed, throttl, limited, timed_out,
	// expired or dropped).
	RejectCounters []string
	// Require, when > 0, is the capacity wanted (rps): the document
	// records it and whether the capacity found meets it (RequireMet).
	Require float64
	// OnEvent, if set, hears of each probe and segment as they start and
	// end (a progress display).
	OnEvent func(Event)
}

// Event is a step of the search, for a progress display.
type Event struct {
	Probe    int    // 1-based; overload probes continue the count
	Overload bool   // an overload probe
	Phase    string // "probe", "extend", "done", "cooldown"
	Rate     float64
	Verdict  string // when Phase is "done"
	Elapsed  time.Duration
}

// Defaults.
const (
	DefaultBudget    = 5 * time.Minute
	DefaultPrecision = 0.05
)

// DefaultOverload is --overload's default: 1.5, 2 and 3 times the capacity.
var DefaultOverload = []float64{1.5, 2, 3}

// DefaultMin is the first probe rate when --min is not given: low enough
// to start below any capacity, high enough that the ramp's slow first
// probes (each needs its SLOs' fewest samples, twice: firstMeasure) take
// at most a sixth of the budget together (Σ 2n/(r·2^i) = 4n/r ≤ budget/6),
// which leaves room for the doublings at MeasureMin each to reach the
// first failure within a third of it. It never exceeds max (when > 0).
func DefaultMin(slos []assert.Expr, budget time.Duration, max float64) float64 {
	n := int64(0)
	for _, e := range slos {
		n = maxI(n, MinSamples(e))
	}
	r := 24 * float64(n) / budget.Seconds()
	r = roundSig(math.Max(1, r), 2)
	if max > 0 && r > max {
		r = max
	}
	return r
}

func maxI(a, b int64) int64 {
	if a > b {
		return a
	}
	return b
}

// ProbeTime is the shortest time one probe at rate can take: the first
// warm-up and measured part. A budget below it is refused.
func ProbeTime(slos []assert.Expr, rate float64) time.Duration {
	return WarmupMin + firstMeasure(slos, rate)
}

// Validate checks a search before anything is sent.
func (c *Config) Validate() error {
	if err := CheckSLOs(c.SLOs); err != nil {
		return err
	}
	switch {
	case !(c.Min > 0) || math.IsInf(c.Min, 0):
		return fmt.Errorf("min must be > 0, not %g", c.Min)
	case c.Max < 0 || math.IsNaN(c.Max) || math.IsInf(c.Max, 0):
		return fmt.Errorf("max must be > 0, not %g", c.Max)
	case c.Max > 0 && c.Min > c.Max:
		return fmt.Errorf("min %s rps is above max %s rps", numfmt.Rate(c.Min), numfmt.Rate(c.Max))
	case !(c.Precision > 0 && c.Precision < 1):
		return fmt.Errorf("precision must be between 0 and 1 (5%% is 0.05), not %g", c.Precision)
	case c.Budget <= 0:
		return fmt.Errorf("budget must be > 0")
	}
	for _, m := range c.Overload {
		if !(m > 1) || m > MaxOverload || math.IsInf(m, 0) {
			return fmt.Errorf("overload multiple %g: want a number above 1 and at most %d", m, MaxOverload)
		}
	}
	if need := ProbeTime(c.SLOs, c.Min); c.Budget < need {
		return fmt.Errorf("budget %s is shorter than one probe at %s rps (%s: a %s warm-up and %s to judge the SLOs)",
			c.Budget, numfmt.Rate(c.Min), need, WarmupMin, firstMeasure(c.SLOs, c.Min))
	}
	return nil
}

// searcher is one search in progress.
type searcher struct {
	cfg    Config
	prober Prober
	clock  Clock
	start  time.Time

	probes       []*probe
	overload     []result.OverloadProbe
	overloadRuns []*probe
	bpNote       string        // why the backpressure verdict is what it is
	target       result.Target // as the probes recorded it
	lo, hi       float64       // highest rate that passed; lowest that did not (0: none)
	seq          int
	cooldown     time.Duration // owed before the next probe
	lastMean     float64       // mean response time of the last probe, seconds
	expect       string        // the model's expected verdict for the last probe ("" if not model-proposed)
	doubted      bool          // the model's last expectation was wrong: take a plain step next
	forecast     *result.CapacityForecast
	limit        float64 // the forecast's rate, 0 if none
	stopped      string
	warnings     []string
	warnRepeats  map[int]int // index in warnings → later segments that repeated it
}

// Search finds the highest rate that meets every SLO, then probes past it
// (package doc). The document comes back without Tool and Seed, which are
// the caller's (Run adds them); an error means a probe could
// not be carried out, and the document so far comes back with it. An
// invalid Config is refused before anything is sent.
func Search(ctx context.Context, cfg Config, prober Prober, clock Clock) (*result.Capacity, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &searcher{cfg: cfg, prober: prober, clock: clock, start: clock.Now()}
	err := s.run(ctx)
	if err == nil && s.stopped != result.StopInterrupted && len(cfg.Overload) > 0 {
		err = s.runOverload(ctx)
	}
	return s.document(), err
}

func (s *searcher) elapsed() time.Duration { return s.clock.Now().Sub(s.start) }

// fits reports whether d more fits the budget.
func (s *searcher) fits(d time.Duration) bool { return s.elapsed()+d <= s.cfg.Budget }

func (s *searcher) event(e Event) {
	if s.cfg.OnEvent != nil {
		e.Elapsed = s.elapsed()
		s.cfg.OnEvent(e)
	}
}

// run ramps and bisects until a stopping rule holds.
func (s *searcher) run(ctx context.Context) error {
	for {
		if ctx.Err() != nil {
			s.stopped = result.StopInterrupted
			return nil
		}
		rate, why, stop := s.next()
		if stop != "" {
			s.stopped = stop
			return nil
		}
		p, err := s.runProbe(ctx, rate, why)
		if err != nil || p == nil {
			return err
		}
		if s.stopped != "" {
			return nil
		}
		s.refit()
	}
}

// runProbe judges one rate, extending it while uncertain. It returns nil
// (and sets stopped) when the budget has no room for it.
func (s *searcher) runProbe(ctx context.Context, rate float64, why string) (*probe, error) {
	d0 := firstMeasure(s.cfg.SLOs, rate)
	warm := warmupAfter(s.lastMean)
	if !s.fits(s.cooldown + warm + d0) {
		s.stopped = result.StopBudget
		return nil, nil
	}
	if err := s.pause(ctx); err != nil {
		return nil, nil
	}
	p := &probe{rate: rate, proposedBy: why, start: s.elapsed()}
	s.probes = append(s.probes, p)
	idx := len(s.probes)
	measure := d0
	for {
		s.seq++
		phase := "probe"
		if p.segments > 0 {
			phase = "extend"
		}
		s.event(Event{Probe: idx, Phase: phase, Rate: rate})
		m, err := s.prober.Run(ctx, Segment{Probe: idx, Seq: s.seq, Rate: rate, Warmup: warm, Measure: measure, Batches: BatchesPerSegment})
		if err != nil {
			s.probes = s.probes[:idx-1]
			return nil, err
		}
		p.warmup += warm
		s.target = m.Target
		if err := p.add(m, s.cfg.SLOs); err != nil {
			return nil, err
		}
		s.warn(m.Warnings)
		if m.Interrupted {
			s.stopped = result.StopInterrupted
			p.note = "interrupted: the verdict is that of the part recorded"
			break
		}
		if p.verdict != result.VerdictUncertain || p.undelivered {
			break
		}
		total := time.Duration(p.measured * float64(time.Second))
		warm = warmupAfter(p.stage.Latency.Mean)
		if 2*total > s.extensionCap(d0) {
			p.note = fmt.Sprintf("still uncertain after %s measured (the cap): counted as not passing", numfmt.Duration(p.measured))
			break
		}
		if !s.fits(warm + total) {
			p.note = "still uncertain, and the budget left no room to extend it: counted as not passing"
			break
		}
		measure = total
	}
	s.lastMean = p.stage.Latency.Mean
	s.settle(p)
	s.event(Event{Probe: idx, Phase: "done", Rate: rate, Verdict: p.verdict})
	return p, nil
}

// extensionCap is the longest measured part a probe whose first part was
// d0 long may reach by extension.
func (s *searcher) extensionCap(d0 time.Duration) time.Duration {
	return max(MaxExtension*d0, s.cfg.Budget/ExtensionShare)
}

// settle moves the bracket by the probe's verdict and owes a cooldown
// after one that did not pass.
func (s *searcher) settle(p *probe) {
	pass := p.verdict == result.VerdictPass
	if pass {
		s.lo = math.Max(s.lo, p.rate)
		s.cooldown = 0
	} else {
		if s.hi == 0 || p.rate < s.hi {
			s.hi = p.rate
		}
		s.cooldown = cooldownAfter(&p.stage, s.cfg.Timeout)
	}
	s.doubted = s.expect != "" && (s.expect == result.VerdictPass) != pass
	s.expect = ""
}

// pause sleeps the cooldown owed; an interruption stops the search.
func (s *searcher) pause(ctx context.Context) error {
	if s.cooldown <= 0 {
		return nil
	}
	s.event(Event{Probe: len(s.probes), Phase: "cooldown"})
	d := s.cooldown
	s.cooldown = 0
	if err := s.clock.Sleep(ctx, d); err != nil {
		s.stopped = result.StopInterrupted
		return err
	}
	return nil
}

// warn keeps a segment's warnings: one of each kind (the text before its
// first colon), counting the segments that repeated it.
func (s *searcher) warn(ws []string) {
	if s.warnRepeats == nil {
		s.warnRepeats = map[int]int{}
	}
	for _, w := range ws {
		kind := warnKind(w)
		seen := false
		for i, old := range s.warnings {
			if warnKind(old) == kind {
				s.warnRepeats[i]++
				seen = true
				break
			}
		}
		if !seen {
			s.warnings = append(s.warnings, w)
		}
	}
}

// warnKind is what tells a warning's kind: its text before the first
// colon with every number in it as "#", so that one kind said with each
// probe's own counts ("the client opened 980 connections for 980
// requests sent (at most 6 in flight at once): ...") is one warning.
func warnKind(w string) string {
	head, _, _ := strings.Cut(w, ":")
	var b strings.Builder
	inNum := false
	for _, r := range head {
		digit := r >= '0' && r <= '9'
		switch {
		case digit && !inNum:
			b.WriteByte('#')
			inNum = true
		case digit, inNum && (r == ',' || r == '.'):
		default:
			inNum = false
			b.WriteRune(r)
		}
	}
	return b.String()
}

// warningList is the warnings with their repeat counts.
func (s *searcher) warningList() []string {
	out := make([]string, len(s.warnings))
	for i, w := range s.warnings {
		out[i] = w
		if n := s.warnRepeats[i]; n > 0 {
			out[i] += fmt.Sprintf(" (and in %d more segment%s)", n, map[bool]string{true: "", false: "s"}[n == 1])
		}
	}
	return out
}
