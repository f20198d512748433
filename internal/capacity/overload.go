package capacity

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Overload probes (issue #13, "does the backpressure hold past capacity?").
const (
	// MaxOverload bounds an --overload multiple.
	MaxOverload = 100
	// OverloadMeasureMin is the shortest measured part of an overload
	// probe: time for a queue without bound to show its growth.
	OverloadMeasureMin = 3 * time.Second
)

// runOverload probes at each multiple of the capacity found, one segment
// each, and judges the backpressure.
func (s *searcher) runOverload(ctx context.Context) error {
	if s.lo == 0 {
		s.bpNote = "no passing rate was found, so there is no capacity to push past"
		return nil
	}
	for _, m := range s.cfg.Overload {
		rate := roundSig(m*s.lo, 4)
		measure := max(OverloadMeasureMin, firstMeasure(s.cfg.SLOs, rate))
		warm := warmupAfter(s.lastMean)
		if !s.fits(s.cooldown + warm + measure) {
			s.bpNote = fmt.Sprintf("the budget ran out before the %s× probe", numfmt.Num(m))
			break
		}
		if err := s.pause(ctx); err != nil {
			break
		}
		idx := len(s.probes) + len(s.overloadRuns) + 1
		p := &probe{rate: rate, start: s.elapsed(), warmup: warm}
		s.seq++
		s.event(Event{Probe: idx, Overload: true, Phase: "probe", Rate: rate})
		meas, err := s.prober.Run(ctx, Segment{Probe: idx, Seq: s.seq, Rate: rate, Warmup: warm, Measure: measure, Batches: BatchesPerSegment})
		if err != nil {
			return err
		}
		if err := p.add(meas, nil); err != nil {
			return err
		}
		s.warn(meas.Warnings)
		s.overloadRuns = append(s.overloadRuns, p)
		rec := p.record(idx)
		rec.Stage.Name = fmt.Sprintf("overload %s× @ %s rps", numfmt.Num(m), numfmt.Rate(rate))
		s.overload = append(s.overload, result.OverloadProbe{
			Multiple: m, RateRPS: rate, Stage: rec.Stage, WarmupS: warm.Seconds(), StartS: rec.StartS,
			Checks: checksFor(p, s.capacityProbe(), s.cfg.RejectCounters),
		})
		s.lastMean = p.stage.Latency.Mean
		s.cooldown = cooldownAfter(&p.stage, s.cfg.Timeout)
		s.event(Event{Probe: idx, Overload: true, Phase: "done", Rate: rate})
		if meas.Interrupted {
			s.stopped = result.StopInterrupted
			break
		}
	}
	return nil
}

// capacityProbe is the probe at the capacity found (the goodput baseline).
func (s *searcher) capacityProbe() *probe {
	for _, p := range s.probes {
		if p.rate == s.lo && p.verdict == result.VerdictPass {
			return p
		}
	}
	return nil
}

// backpressure sums the overload probes' checks into one verdict: fails
// when any check failed (decided by the first, in check order), holds when
// all passed and some probe turned requests away, unknown otherwise.
func (s *searcher) backpressure() *result.Backpressure {
	if len(s.cfg.Overload) == 0 {
		return nil
	}
	bp := &result.Backpressure{Verdict: result.BackpressureUnknown, Note: s.bpNote, Checks: []result.BackpressureCheck{}}
	if len(s.overload) == 0 {
		if bp.Note == "" {
			bp.Note = "no overload probe ran"
		}
		return bp
	}
	for _, name := range checkOrder {
		agg := result.BackpressureCheck{Name: name, OK: true}
		var parts []string
		for _, o := range s.overload {
			for _, c := range o.Checks {
				if c.Name != name {
					continue
				}
				agg.OK = agg.OK && c.OK
				parts = append(parts, numfmt.Num(o.Multiple)+"×: "+c.Detail)
			}
		}
		if len(parts) == 0 {
			continue
		}
		agg.Detail = strings.Join(parts, "; ")
		bp.Checks = append(bp.Checks, agg)
		if !agg.OK && bp.DecidedBy == "" {
			bp.Verdict, bp.DecidedBy = result.BackpressureFails, name
		}
	}
	if bp.Verdict == result.BackpressureFails {
		return bp
	}
	for _, p := range s.overloadRuns {
		if p.stage.TurnedAway() > 0 {
			bp.Verdict = result.BackpressureHolds
			return bp
		}
	}
	bp.Note = joinNotes(bp.Note, fmt.Sprintf("nothing was turned away even at %s× the capacity: the target was never pushed past what it serves, so its backpressure was not exercised",
		numfmt.Num(s.overload[len(s.overload)-1].Multiple)))
	return bp
}

func joinNotes(a, b string) string {
	if a == "" {
		return b
	}
	return a + "; " + b
}
