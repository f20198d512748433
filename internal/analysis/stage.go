package analysis

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// p99Samples is the iid sample size for a p99 within ±5% at 95%
// (docs/queueing.md §8: 7 173); autocorrelated queue latencies need more.
func p99Samples() int { return queueing.SamplesForQuantile(0.99, 0.05, level) }

// stage builds one stage's analysis.
func (an *analyzer) stage(i int) result.StageAnalysis {
	d := an.data[i]
	st := d.st
	sa := result.StageAnalysis{
		Index: st.Index, OfferedRPS: st.OfferedRPS, ThroughputRPS: finiteOr(st.ThroughputRPS, 0),
		Little:      little(an.r, an.data, i),
		AchievedRPS: d.lambda, ArrivalSCV: d.ca2, Responses: d.responses, Samples2xx: d.n2xx,
	}
	if d.responses > 0 {
		sa.Observed.BlockRatio = float64(d.n503) / float64(d.responses)
	}
	sa.Observed.ResponseMeanS = finiteOr(st.Latency2xx.Mean, 0)
	sa.Observed.ResponseP99S = finiteOr(st.Latency2xx.P99, 0)
	if s := d.srv; s != nil {
		so := &result.ServerObserved{QueueMeanS: s.queueMean, ServiceMeanS: s.svcMn,
			ResponseMeanS: s.queueMean + s.svcMn, QueueP99S: s.queueP99, ServiceP99S: s.svcP99}
		if an.m.c > 0 && d.tau > 0 {
			so.Busy = float64(s.n) / d.tau * s.svcMn / float64(an.m.c)
		}
		sa.ObservedServer = so
	}
	if sa.Little.Flagged {
		an.warnf("stage %d: Little's law L/(X·W) = %.4f is off by more than %s and than the %s its ends can explain: a measurement (bookkeeping) problem, not a queueing effect",
			st.Index, sa.Little.Ratio, numfmt.Share(littleTolerance), numfmt.Share(sa.Little.EdgeBound))
	}
	if d.errors > 0 {
		sa.Notes = append(sa.Notes, fmt.Sprintf("%d requests ended in transport errors (timeouts, resets): they are outside the 503 ratio and the latencies", d.errors))
	}
	if an.r.Interrupted && i == len(an.data)-1 {
		sa.Notes = append(sa.Notes, "the run was interrupted during this stage: it is partial")
	}
	switch {
	case d.tau <= 0 || st.Sent == 0:
		sa.Verdict = "nothing sent"
		return sa
	case d.responses == 0:
		sa.Verdict = "no responses"
		return sa
	case an.m.kind == kindNone:
		sa.Verdict = "observed only (no model)"
		return sa
	}
	an.predictStage(d, &sa)
	return sa
}

// predictStage adds the predictions, their checks and the verdict.
func (an *analyzer) predictStage(d *stageData, sa *result.StageAnalysis) {
	m, s := an.m, an.svc.mean
	dS := an.svc.stageHW(d)
	kind := m.kinds[d.pos]
	p, err := m.predict(kind, d.lambda, d.ca2, s, d.st.Sent, d.st.Index)
	if err != nil {
		sa.Verdict = "not predicted: " + err.Error()
		return
	}
	sa.Utilization = p.util
	m.addNoise(&p, kind, d.lambda, d.ca2, s, d.st.Sent, d.st.Index)
	if kind != m.kind {
		sa.Notes = append(sa.Notes, fmt.Sprintf("arrival SCV %.3g: this stage is predicted by %s", d.ca2, kindName(kind)))
	}
	if m.kUnknown && d.n503 > 0 {
		p.haveMean, p.haveP99 = false, false
		p.why = "the response time depends on the unknown queue size"
	}
	// The same model at E[S] ± δS, with the same random numbers.
	var alt []prediction
	if dS > 0 {
		for _, s2 := range []float64{s + dS, s - dS} {
			if s2 <= 0 {
				continue
			}
			if q, err := m.predict(kind, d.lambda, d.ca2, s2, d.st.Sent, d.st.Index); err == nil {
				alt = append(alt, q)
			}
		}
	}
	ovh, p99Allow, meanAllow := an.ovh.forStage(d)
	sa.OverheadS = ovh
	sa.PredictedServer = &result.Metrics{}
	ag := &result.Agreement{}
	insufficient := ""
	if sa.Little.Flagged {
		insufficient = "Little's law fails on this stage (measurement problem)"
	}
	span := 1.0 // seconds: one window, when the relaxation time is unknown
	if p.relax > 0 {
		span = math.Max(1, 10*p.relax) // NaN and +Inf stay, and form no batches
	} else if math.IsNaN(p.relax) {
		span = math.NaN()
	}
	bsRatio := d.batches(span, 0)
	bsP99 := d.batches(span, minP99Batch)
	if p.haveBlock {
		sa.PredictedServer.BlockRatio, sa.Predicted.BlockRatio = p.block, p.block
		hw, ok := blockHW(bsRatio)
		hw = math.Max(hw, countFloor(math.Max(float64(d.n503), p.block*float64(d.responses)), d.responses))
		hw, ok = widen(hw, ok, p.noiseBlock, p.noiseOK)
		ag.BlockRatio = judge(checkInput{kind: metricRatio, pred: p.block, obs: sa.Observed.BlockRatio,
			measHW: hw, measOK: ok, predBand: band(p.block, p.blockHW, alt, func(q prediction) float64 { return q.block }),
			tol: m.tolerance(kind), lower: p.blockLower, insufficient: why(insufficient, batchWhy(bsRatio, span, 0, d))})
	}
	if p.haveMean {
		sa.PredictedServer.ResponseMeanS, sa.Predicted.ResponseMeanS = p.mean, p.mean+ovh
		hw, ok := meanHW(bsRatio)
		hw, ok = widen(hw, ok, p.noiseMean, p.noiseOK)
		ag.ResponseMeanS = judge(checkInput{kind: metricTime, pred: p.mean + ovh, obs: sa.Observed.ResponseMeanS,
			measHW: hw, measOK: ok, predBand: band(p.mean, p.meanHW, alt, func(q prediction) float64 { return q.mean }),
			tol: m.tolerance(kind), ovhAllow: meanAllow, insufficient: why(insufficient, batchWhy(bsRatio, span, 0, d), noHist(d))})
	}
	if p.haveP99 {
		sa.PredictedServer.ResponseP99S, sa.Predicted.ResponseP99S = p.p99, p.p99+ovh
		hw, ok := p99HW(bsP99)
		hw, ok = widen(hw, ok, p.noiseP99, p.noiseOK)
		ag.ResponseP99S = judge(checkInput{kind: metricTime, pred: p.p99 + ovh, obs: sa.Observed.ResponseP99S,
			measHW: hw, measOK: ok, predBand: band(p.p99, p.p99HW, alt, func(q prediction) float64 { return q.p99 }),
			tol: m.tolerance(kind), ovhAllow: p99Allow, insufficient: why(insufficient, few2xx(d), batchWhy(bsP99, span, minP99Batch, d), noHist(d))})
		if need := p99Samples(); d.n2xx < int64(need) {
			ag.ResponseP99S.SamplesNeeded = need
		}
	}
	if ag.BlockRatio != nil || ag.ResponseMeanS != nil || ag.ResponseP99S != nil {
		sa.Agreement = ag
	}
	if p.unstable {
		sa.Growth = growth(d, p.util, m.c, s)
	}
	if p.why != "" && !p.haveP99 {
		what := "times"
		if p.haveMean {
			what = "p99"
		}
		sa.Notes = append(sa.Notes, what+" not predicted: "+p.why)
	}
	sa.Verdict = stageVerdict(sa, p, grewBeyondChance(d), d.shed.ratioName())
}

// grewBeyondChance reports whether the stage's mean 2xx latency grew
// within it beyond chance: its slope's one-sided Student-t confidence
// (growthT) at least the analysis's level.
func grewBeyondChance(d *stageData) bool {
	t, df, ok := growthT(d)
	return ok && t > 0 && (distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}).CDF(t) >= level
}

// widen is the wider of the batch-means half-width (when there is one)
// and the model's noise for a stage of this length (when known). The
// model's noise alone does not make a measurement interval: without
// batches the data say nothing of their own spread.
func widen(hw float64, ok bool, noise float64, noiseOK bool) (float64, bool) {
	if noiseOK && ok {
		return math.Max(hw, noise), true
	}
	return hw, ok
}

// band is the prediction's own uncertainty: its largest move when E[S]
// moves by ±δS, plus a simulation's half-width.
func band(v, simHW float64, alt []prediction, f func(prediction) float64) float64 {
	b := 0.0
	for _, q := range alt {
		if w := f(q); isFinite(w) {
			b = math.Max(b, math.Abs(w-v))
		}
	}
	return b + simHW
}

// why returns the first non-empty reason.
func why(reasons ...string) string {
	for _, r := range reasons {
		if r != "" {
			return r
		}
	}
	return ""
}

// batchWhy explains missing batches.
func batchWhy(bs []batch, span float64, minN int64, d *stageData) string {
	if bs != nil {
		return ""
	}
	if minN > 0 {
		return fmt.Sprintf("fewer than 2 batches of %s (≥ 10 relaxation times) with ≥ %d 2xx latencies each among the stage's %d whole 1-second windows",
			numfmt.Seconds(span), minN, len(d.windows))
	}
	return fmt.Sprintf("fewer than 2 batches of %s (≥ 10 relaxation times) among the stage's %d whole 1-second windows",
		numfmt.Seconds(span), len(d.windows))
}

func few2xx(d *stageData) string {
	if d.n2xx < minP99Batch {
		return fmt.Sprintf("only %d 2xx latencies", d.n2xx)
	}
	return ""
}

func noHist(d *stageData) string {
	for _, w := range d.windows {
		if w.lat2xx() != "" {
			return ""
		}
	}
	if len(d.windows) > 0 {
		return "the result has no window histograms"
	}
	return ""
}

// growth measures a stage without steady state: the least-squares slope
// of the windows' mean 2xx latency against time, and the prediction
// ρ − 1 seconds of extra wait per second (the backlog grows by λ − c/E[S]
// per second, each drained at c/E[S]).
func growth(d *stageData, rho float64, c int, s float64) *result.Growth {
	g := &result.Growth{PredictedLatencySPerS: rho - 1, BacklogRPS: d.lambda - float64(c)/s}
	xs, ys := d.meanSeries()
	if len(xs) >= 2 {
		var mx, my float64
		for i := range xs {
			mx += xs[i]
			my += ys[i]
		}
		mx /= float64(len(xs))
		my /= float64(len(xs))
		var sxy, sxx float64
		for i := range xs {
			sxy += (xs[i] - mx) * (ys[i] - my)
			sxx += (xs[i] - mx) * (xs[i] - mx)
		}
		if sxx > 0 {
			g.ObservedLatencySPerS = sxy / sxx
		}
	}
	return g
}

// stageVerdict sums the checks up; grew: the stage's mean latency grew
// beyond chance (grewBeyondChance).
func stageVerdict(sa *result.StageAnalysis, p prediction, grew bool, shedRatio string) string {
	if sa.Little.Flagged {
		return fmt.Sprintf("measurement problem: Little's law off by %s", numfmt.Share(sa.Little.Ratio-1))
	}
	if g := sa.Growth; g != nil {
		if !grew {
			// The requests that would have waited longest ended
			// otherwise (timed out), or waited where the 2xx did not.
			return fmt.Sprintf("no steady state predicted (unbounded queue at ρ = %.3g, its wait growing %s per second), but the mean latency did not grow beyond chance (%s per second)",
				p.util, numfmt.Seconds(g.PredictedLatencySPerS), numfmt.Seconds(g.ObservedLatencySPerS))
		}
		return fmt.Sprintf("no steady state (unbounded queue at ρ = %.3g): mean latency grew %s per second (predicted %s)",
			p.util, numfmt.Seconds(g.ObservedLatencySPerS), numfmt.Seconds(g.PredictedLatencySPerS))
	}
	var agree, disagree, unknown []string
	a := sa.Agreement
	if a == nil {
		return "not predicted"
	}
	for _, c := range []struct {
		name string
		c    *result.Check
	}{{shedRatio, a.BlockRatio}, {"mean", a.ResponseMeanS}, {"p99", a.ResponseP99S}} {
		switch {
		case c.c == nil:
		case c.c.Agree == nil:
			unknown = append(unknown, c.name)
		case *c.c.Agree:
			agree = append(agree, c.name)
		default:
			disagree = append(disagree, c.name)
		}
	}
	switch {
	case len(disagree) > 0:
		return "disagrees: " + strings.Join(disagree, ", ")
	case len(agree) == 0:
		return "insufficient data"
	case len(unknown) > 0:
		return "agrees (" + strings.Join(unknown, ", ") + ": insufficient data)"
	}
	return "agrees"
}
