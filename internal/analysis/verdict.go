package analysis

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Absolute floors of the model tolerance (docs/queueing.md §8, verdict:
// "abs_floor is about a few × timer resolution or histogram bucket
// width"): for times, 100 µs (timer and scheduler granularity on a
// loaded machine) plus twice the 0.1% relative width of the HDR buckets.
const (
	timeFloorAbs = 100e-6
	timeFloorRel = 0.002
)

// Widths beyond which a measurement cannot support a verdict: a latency
// known only to ±50%, or a 503 ratio known only to ± max(0.02, half of
// itself).
const (
	maxTimeCIRel  = 0.5
	maxRatioCIAbs = 0.02
	maxRatioCIRel = 0.5
)

// maxBandRel is the widest band, relative to the prediction, that can
// support "agrees" (issue #12): a wider one would call a prediction 25%
// off "agrees". A ratio's band may also reach maxRatioCIAbs (2 points),
// since 20% of a ratio near 0 is below its counting noise.
const maxBandRel = 0.2

// bandLimit is the widest band a verdict may rest on.
func bandLimit(in checkInput) float64 {
	lim := maxBandRel * math.Abs(in.pred)
	if in.kind == metricRatio {
		lim = math.Max(lim, maxRatioCIAbs)
	}
	return lim
}

// formatMetric formats a ratio as a percentage and a time in seconds.
func formatMetric(k metricKind, v float64) string {
	if k == metricRatio {
		return numfmt.Share(v)
	}
	return numfmt.Seconds(v)
}

// metricKind selects the floors and limits of a check.
type metricKind int

const (
	metricRatio metricKind = iota
	metricTime
)

// checkInput is one metric's prediction, measurement and uncertainties.
type checkInput struct {
	kind         metricKind
	pred, obs    float64
	measHW       float64 // batch-means half-width of the measurement
	measOK       bool    // a measurement interval exists
	predBand     float64 // |p(S ± δS) − p(S)| + the simulation's half-width
	tol          float64 // model tolerance, relative
	ovhAllow     float64 // overhead spread allowance (times)
	lower        bool    // pred is a lower bound
	insufficient string  // non-empty: why no verdict is possible
}

// judge applies docs/queueing.md §8's rule:
//
//	agree ⇔ |m − p| ≤ max(abs_floor, tol·|p|) + hw_meas + |p(S±δS) − p(S)| (+ overhead allowance)
//
// (for a lower bound: m ≥ p − band). It refuses a verdict — Agree nil,
// "insufficient data" — when the measurement has no interval or one so
// wide that agreement would say nothing.
func judge(in checkInput) *result.Check {
	c := &result.Check{Predicted: in.pred, Observed: in.obs, PredictionBand: in.predBand, OverheadAllowance: in.ovhAllow}
	if in.lower {
		c.Bound = "lower"
	}
	floor := 0.0
	if in.kind == metricTime {
		floor = timeFloorAbs + timeFloorRel*math.Abs(in.pred)
	}
	c.ModelTolerance = math.Max(floor, in.tol*math.Abs(in.pred))
	if in.measOK {
		c.MeasuredCI = in.measHW
	}
	if in.pred != 0 {
		c.RelError = in.obs/in.pred - 1
	}
	why := in.insufficient
	switch {
	case why != "":
	case !in.measOK:
		why = "no measurement interval"
	case !isFinite(in.predBand) || !isFinite(in.measHW):
		why = "no finite interval"
	case in.kind == metricTime && in.measHW > maxTimeCIRel*math.Max(math.Abs(in.pred), math.Abs(in.obs)):
		why = fmt.Sprintf("measured only to ±%s", numfmt.Seconds(in.measHW))
	case in.kind == metricRatio && in.measHW > math.Max(maxRatioCIAbs, maxRatioCIRel*math.Max(in.pred, in.obs)):
		why = fmt.Sprintf("measured only to ±%s", numfmt.Share(in.measHW))
	}
	c.Band = c.ModelTolerance + finiteOr(c.MeasuredCI, 0) + finiteOr(c.PredictionBand, 0) + c.OverheadAllowance
	if lim := bandLimit(in); why == "" && c.Band > lim {
		why = fmt.Sprintf("the band ±%s is wider than %s of the prediction, so agreement would not tell a miss", formatMetric(in.kind, c.Band), numfmt.Share(maxBandRel))
	}
	if why != "" {
		c.PredictionBand = finiteOr(c.PredictionBand, 0)
		c.MeasuredCI = finiteOr(c.MeasuredCI, 0)
		c.Verdict = "insufficient data: " + why
		return c
	}
	diff := in.obs - in.pred
	var ok bool
	if in.lower {
		ok = diff >= -c.Band
	} else {
		ok = math.Abs(diff) <= c.Band
	}
	c.Agree = &ok
	switch {
	case ok && in.lower:
		c.Verdict = "agrees (at or above the lower bound)"
	case ok:
		c.Verdict = "agrees"
	case diff > 0:
		c.Verdict = "disagrees: observed above the band"
	default:
		c.Verdict = "disagrees: observed below the band"
	}
	return c
}
