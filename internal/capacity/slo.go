package capacity

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Level is the confidence level of every interval a verdict reads.
const Level = 0.95

// ErrNoSLO and ErrRateSLO are CheckSLOs' errors for no SLO at all and for
// an rps SLO (wrapped with the SLO); the caller says how to give one, or
// the capacity wanted (Config.Require).
var (
	ErrNoSLO   = errors.New("no SLO: give at least one")
	ErrRateSLO = errors.New("rps rises with the offered rate, so it bounds no capacity")
)

// CheckSLOs refuses SLOs a search cannot judge: none (ErrNoSLO), a scope
// other than the whole probe (each probe is one stage, judged as a whole),
// and rps, which rises with the offered rate and so bounds no capacity
// (ErrRateSLO; use Config.Require).
func CheckSLOs(slos []assert.Expr) error {
	if len(slos) == 0 {
		return ErrNoSLO
	}
	for _, e := range slos {
		if e.Scope.Kind != assert.Run {
			return scopeError(e)
		}
		if e.Kind == assert.RateMetric {
			return fmt.Errorf("SLO %q: %w", e.Raw, ErrRateSLO)
		}
	}
	return nil
}

// scopeError is the refusal of an SLO with a scope.
func scopeError(e assert.Expr) error {
	return fmt.Errorf("SLO %q: it is judged on each probe as a whole; drop \"in %s\"", e.Raw, e.Scope)
}

// familyOf is the distribution a time metric reads: "2xx" (2xx.p99),
// "service" (service.p99) or "" (p99: every response).
func familyOf(metric string) string {
	if f, _, ok := strings.Cut(metric, "."); ok && (f == "service" || f == "2xx") {
		return f
	}
	return ""
}

// histOf is the encoded histogram of a family ("", "2xx", "service").
func histOf(st *result.Stage, family string) string {
	switch family {
	case "2xx":
		return st.HDR.Latency2xx
	case "service":
		return st.HDR.ServiceTime
	}
	return st.HDR.Latency
}

// lowerIsBetter: the SLO bounds its metric from above (< or <=).
func lowerIsBetter(e assert.Expr) bool { return e.Op == "<" || e.Op == "<=" }

// exactRatio: a ratio SLO at 0 or 100% is judged on the count itself: no
// interval of a proportion ever excludes its end.
func exactRatio(e assert.Expr) bool {
	return e.Kind == assert.RatioMetric && (e.Value <= 0 || e.Value >= 1)
}

// MinSamples is the fewest requests a probe needs before the SLO can pass
// at all, even far from its threshold: for a percentile p, the largest of
// n values must bound it, the Wilson interval of n of n ending above p
// (n > z²p/(1−p): 381 for p99, 3 838 for p99.9); for a ratio below t, the
// Wilson interval of 0 events must end below t (n > z²(1−t)/t: 381 for
// 1%); 100 for anything else.
func MinSamples(e assert.Expr) int64 {
	z := queueing.NormalZ(Level)
	n := int64(100)
	if q, ok := e.Quantile(); ok {
		return max(n, int64(math.Min(z*z*q/(1-q), 1e9))+1)
	}
	if e.Kind == assert.RatioMetric && !exactRatio(e) {
		t := e.Value
		if !lowerIsBetter(e) {
			t = 1 - t
		}
		return max(n, int64(z*z*(1-t)/t)+1)
	}
	return n
}

// judge evaluates every SLO on a probe: st is its measured part as one
// stage, subs the consecutive stages it was recorded as (the batches).
// The verdict is fail if any SLO fails, else uncertain if any is, else pass.
func judge(slos []assert.Expr, st *result.Stage, subs []result.Stage) ([]result.SLOCheck, string, error) {
	bt := newBatcher(subs)
	checks := make([]result.SLOCheck, 0, len(slos))
	verdict := result.VerdictPass
	for _, e := range slos {
		c, err := judgeOne(e, st, bt)
		if err != nil {
			return nil, "", fmt.Errorf("SLO %q: %w", e.Raw, err)
		}
		checks = append(checks, c)
		switch {
		case c.Verdict == result.VerdictFail:
			verdict = result.VerdictFail
		case c.Verdict == result.VerdictUncertain && verdict == result.VerdictPass:
			verdict = result.VerdictUncertain
		}
	}
	return checks, verdict, nil
}

// judgeOne computes one SLO's value, its interval and its verdict.
func judgeOne(e assert.Expr, st *result.Stage, bt *batcher) (result.SLOCheck, error) {
	c := result.SLOCheck{Expr: e.Raw, Metric: e.Metric, Op: e.Op, Threshold: e.Value, Unit: unitOf(e.Kind)}
	if c.Expr == "" {
		c.Expr = e.String()
	}
	a, err := e.Check(st)
	if err != nil {
		return c, err
	}
	if a.Note != "" {
		c.Verdict, c.Note = result.VerdictFail, a.Note+": a gate never passes on no data"
		return c, nil
	}
	v := a.Observed
	c.Value = v
	var lo, hi float64
	switch {
	case e.Kind == assert.RatioMetric:
		c.Samples = st.Scheduled
		lo, hi, err = ratioCI(e, st, bt, v, &c)
	case e.Kind == assert.TimeMetric:
		lo, hi, err = timeCI(e, st, bt, v, &c)
	default:
		return c, fmt.Errorf("metric %s cannot be judged", e.Metric)
	}
	if err != nil {
		return c, err
	}
	c.CILow, c.CIHigh = lo, hi
	c.Verdict = verdictOf(e, lo, hi)
	if math.IsInf(hi, 1) {
		// JSON has no infinity: the interval is open above; say so.
		c.CIHigh, c.OpenHigh = v, true
		if h, err := result.DecodeHist(histOf(st, familyOf(e.Metric))); err == nil && h.TotalCount() > 0 {
			c.CIHigh = float64(h.Max()) / 1e9
		}
		c.Note = fmt.Sprintf("%d samples are too few to bound %s from above (at least %d are needed): it cannot pass yet",
			c.Samples, e.Metric, MinSamples(e))
	}
	return c, nil
}

// unitOf names a metric kind's unit in the document.
func unitOf(k assert.MetricKind) string {
	switch k {
	case assert.TimeMetric:
		return "s"
	case assert.RatioMetric:
		return "ratio"
	}
	return "rps"
}

// verdictOf: pass when the whole interval meets the SLO, fail when none of
// it does, uncertain when the threshold lies inside.
func verdictOf(e assert.Expr, lo, hi float64) string {
	good, bad := hi, lo // the interval's ends that must and must not meet it
	if !lowerIsBetter(e) {
		good, bad = lo, hi
	}
	switch {
	case assert.Holds(e.Op, good, e.Value):
		return result.VerdictPass
	case !assert.Holds(e.Op, bad, e.Value):
		return result.VerdictFail
	}
	return result.VerdictUncertain
}

// ratioCI is the wider of the Wilson interval (independent requests) and
// the batch-means interval (rejections come in bursts).
func ratioCI(e assert.Expr, st *result.Stage, bt *batcher, v float64, c *result.SLOCheck) (lo, hi float64, err error) {
	if exactRatio(e) {
		c.Note = "a ratio SLO at 0 or 100% is judged on the count itself"
		return v, v, nil
	}
	n := st.Scheduled
	x := int64(math.Round(v * float64(n)))
	lo, hi, err = queueing.Wilson(x, n, Level)
	if err != nil {
		return 0, 0, err
	}
	half, b, ok := bt.halfWidth(func(r [2]int) (float64, bool) {
		x, ok, _ := assert.MetricValue(bt.counts(r), e.Metric)
		return x, ok
	}, Level)
	if ok && (v-half < lo || v+half > hi) {
		c.Batches = b
		lo, hi = math.Max(0, math.Min(lo, v-half)), math.Min(1, math.Max(hi, v+half))
	}
	return lo, hi, nil
}

// timeCI: a percentile's interval is read at order-statistic ranks
// np ∓ half (queueing.md §8), half being the wider of the iid binomial
// z√(np(1−p)) and the batch-means spread of the fraction of each batch at
// or below the estimate (times n); a mean's is the wider of z·sd/√n and
// the batch means'; min and max have none (judged on the value).
func timeCI(e assert.Expr, st *result.Stage, bt *batcher, v float64, c *result.SLOCheck) (lo, hi float64, err error) {
	fam := familyOf(e.Metric)
	p, isQ := e.Quantile()
	h, err := result.DecodeHist(histOf(st, fam))
	if err != nil {
		return 0, 0, err
	}
	n := h.TotalCount()
	c.Samples = n
	z := queueing.NormalZ(Level)
	if !isQ {
		if e.Metric != "mean" && !strings.HasSuffix(e.Metric, ".mean") {
			c.Note = "min and max have no interval: judged on the observed value"
			return v, v, nil
		}
		half := 0.0
		if n > 1 {
			half = z * h.StdDev() / 1e9 / math.Sqrt(float64(n))
		}
		bh, b, ok := bt.halfWidth(func(r [2]int) (float64, bool) { return bt.mean(fam, r) }, Level)
		if ok && bh > half {
			half, c.Batches = bh, b
		}
		return math.Max(0, v-half), v + half, nil
	}
	lo, hi, c.Batches = quantileCI(h, bt, fam, p)
	return lo, hi, nil
}
