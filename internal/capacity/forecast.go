package capacity

import (
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Forecaster fits a queueing model to the probes so far (a result whose
// stages are the probes' measured parts) and returns the highest rate at
// which it predicts every SLO holds, or nil when it cannot.
type Forecaster func(r *result.Result, slos []assert.Expr) *result.CapacityForecast

// minForecastProbes is the fewest probes a model is fitted to.
const minForecastProbes = 2

// refit asks the forecaster again after a probe.
func (s *searcher) refit() {
	if s.cfg.Forecast == nil || len(s.probes) < minForecastProbes {
		return
	}
	s.forecast = s.cfg.Forecast(s.asResult(), s.cfg.SLOs)
	s.limit = 0
	if s.forecast != nil {
		s.limit = s.forecast.RateRPS
	}
}

// asResult lays the probes (and overload probes) end to end as the stages
// of one result, their batches as its timeline windows, for the analysis.
func (s *searcher) asResult() *result.Result {
	r := &result.Result{Schema: result.Schema, Arrival: s.arrival(), Seed: 1}
	t := 0.0
	add := func(subs []result.Stage, st result.Stage) {
		st.Index = len(r.Stages) + 1
		st.StartS, st.EndS = t, t+st.LengthS()
		r.Stages = append(r.Stages, st)
		for _, b := range subs {
			// A window per sub-stage, with its in-flight levels: the
			// recognition reads a fixed limit K from the least in-flight
			// maximum of the seconds that shed.
			r.Timeline = append(r.Timeline, result.Window{
				TS: t + b.StartS, DurationS: b.LengthS(), OfferedRPS: b.OfferedRPS,
				Scheduled: b.Scheduled, Sent: b.Sent, NotSent: b.NotSent, Completed: b.Completed,
				AchievedRPS: b.AchievedRPS, ThroughputRPS: b.ThroughputRPS,
				Status: b.Status, Errors: b.Errors,
				P50S: b.Latency.P50, P90S: b.Latency.P90, P99S: b.Latency.P99, MaxS: b.Latency.Max, MeanS: b.Latency.Mean,
				InFlightMean: b.InFlightMean, InFlightMax: b.InFlightMax,
				HDR: result.WindowHDR{Latency: b.HDR.Latency, Latency2xx: b.HDR.Latency2xx, ServiceTime: b.HDR.ServiceTime},
			})
		}
		t = st.EndS
	}
	for _, p := range s.probes {
		add(p.subs, p.stage)
	}
	for _, o := range s.overloadRuns {
		add(o.subs, o.stage)
	}
	return r
}

// arrival is the arrival label the probes recorded ("uniform" without any).
func (s *searcher) arrival() string {
	if s.cfg.Arrival != "" {
		return s.cfg.Arrival
	}
	return "uniform"
}

// ModelForecaster forecasts with internal/analysis's model of the server
// (spec: what the user knows of it). Every SLO is predicted from the
// model's block ratio (ratio(503), ratio(5xx), ratio(2xx)), 2xx p99 (p99,
// 2xx.p99: for p99 the fast 503s only help, so this is conservative) and
// 2xx mean (mean, 2xx.mean); the model predicts no transport errors and
// no generator limit. The band evaluates the model at E[S] ± δS with each
// threshold moved by the model's tolerance.
func ModelForecaster(spec analysis.ModelSpec) Forecaster {
	return func(r *result.Result, slos []assert.Expr) *result.CapacityForecast {
		p, err := analysis.NewPredictor(r, spec)
		if err != nil {
			return nil
		}
		m := p.Model()
		if strings.Contains(m.Name, "K unknown") {
			return nil
		}
		// An SLO is covered when the model predicts its metric at all (a
		// token bucket predicts no times): asked at half its capacity.
		sample, err := p.At(p.Capacity()/2, 0)
		if err != nil {
			return nil
		}
		var use, skipped []string
		var preds []assert.Expr
		for _, e := range slos {
			if _, ok := predicted(e, sample); ok && predictedFrom(e) != "" {
				preds = append(preds, e)
				use = append(use, e.Raw)
			} else {
				skipped = append(skipped, e.Raw)
			}
		}
		if len(preds) == 0 {
			return nil
		}
		s, hw := p.ServiceMean()
		f := &result.CapacityForecast{Model: m}
		var ok bool
		if f.RateRPS, ok = limit(p, preds, s, 0); !ok {
			return nil
		}
		low, high := p, p
		f.Note = fmt.Sprintf("%s with c = %d, E[S] = %s ± %s (%s)", m.Kendall, m.Workers,
			numfmt.Duration(s), numfmt.Duration(hw), m.Source)
		if rate, rateHW, burst, above, seen, isBucket := p.Bucket(); isBucket {
			// A token bucket refuses by arrival times alone: the band
			// is its rate's interval and the bucket sizes the probes
			// allow, from just above the largest they rule out.
			size := "B = " + tokens(burst)
			switch {
			case !seen && above > 0:
				size = fmt.Sprintf("B over %s (the probes tell no more; modelled as %g)", tokens(above), burst)
			case !seen:
				size = fmt.Sprintf("B not told by the probes (modelled as %s)", tokens(burst))
			}
			low, high = p.WithBucket(math.Max(rate-rateHW, rate/2), math.Max(1, above)), p.WithBucket(rate+rateHW, burst)
			f.Note = fmt.Sprintf("a token bucket of R = %s ± %s/s, %s", numfmt.Rate(rate), numfmt.Rate(rateHW), size)
		} else if rate, rateHW, delay, ok := p.Delaying(); ok {
			// A delaying rate limit: the band is its rate's interval
			// (E[S] moves only the times behind it).
			low, high = p.WithBucket(math.Max(rate-rateHW, rate/2), 0), p.WithBucket(rate+rateHW, 0)
			f.Note = fmt.Sprintf("a rate limit of R = %s ± %s/s delaying up to %d requests (%s), E[S] = %s ± %s (%s)", numfmt.Rate(rate), numfmt.Rate(rateHW),
				delay, m.Kendall, numfmt.Duration(s), numfmt.Duration(hw), m.Source)
		}
		f.BandLowRPS, _ = limit(low, preds, s+hw, -m.Tolerance)
		f.BandHighRPS, _ = limit(high, preds, math.Max(s-hw, s/2), m.Tolerance)
		if len(skipped) > 0 {
			f.Note += fmt.Sprintf("; it covers %s only: the model does not predict %s", strings.Join(use, ", "), strings.Join(skipped, ", "))
		}
		return f
	}
}

// tokens says a bucket size: "1 token", "10 tokens".
func tokens(b float64) string {
	if b == 1 {
		return "1 token"
	}
	return fmt.Sprintf("%g tokens", b)
}

// predictedFrom names what of a prediction an SLO's metric is: "block"
// (ratio(503), ratio(5xx)), "admitted" (ratio(2xx)), "p99" (p99, 2xx.p99),
// "mean" (mean, 2xx.mean), "none" (transport errors, not_sent: the model
// predicts none), "all" (achieved), or "" when the model does not predict it.
func predictedFrom(e assert.Expr) string {
	switch e.Metric {
	case "ratio(503)", "ratio(5xx)":
		return "block"
	case "ratio(2xx)":
		return "admitted"
	case "p99", "2xx.p99":
		return "p99"
	case "mean", "2xx.mean":
		return "mean"
	case "ratio(errors)", "ratio(not_sent)", "ratio(timeout)", "ratio(connect)", "ratio(reset)", "ratio(other)":
		return "none"
	case "achieved":
		return "all"
	}
	return ""
}

// predicted reads an SLO's metric from a prediction; ok is false when the
// prediction lacks it at this rate.
func predicted(e assert.Expr, pr analysis.Prediction) (v float64, ok bool) {
	switch predictedFrom(e) {
	case "block":
		return pr.BlockRatio, pr.HaveBlock && !pr.BlockLower
	case "admitted":
		return 1 - pr.BlockRatio, pr.HaveBlock && !pr.BlockLower
	case "p99":
		return pr.ResponseP99S, pr.HaveP99
	case "mean":
		return pr.ResponseMeanS, pr.HaveMean
	case "none":
		return 0, true
	case "all":
		return 1, true
	}
	return 0, false
}

// limit is the highest rate at which the model, with mean service time
// s, predicts every SLO holds, each threshold moved by tol (relative,
// toward failing when negative): bisection on (0, 20·C] for a model that
// sheds (a bounded queue, a queue timeout, a token bucket), (0, C) for an
// unbounded queue, C the model's capacity (Predictor.Capacity). ok is
// false when the model cannot be evaluated.
func limit(p *analysis.Predictor, slos []assert.Expr, s, tol float64) (float64, bool) {
	capRate := p.Capacity()
	hi := 20 * capRate
	if !p.Sheds() {
		hi = capRate * (1 - 1e-9)
	}
	holds := func(lambda float64) (bool, bool) {
		pr, err := p.At(lambda, s)
		if err != nil {
			return false, false
		}
		if pr.Unstable {
			return false, true
		}
		for _, e := range slos {
			v, ok := predicted(e, pr)
			if !ok {
				return false, true
			}
			thr := e.Value * (1 + tol)
			if !lowerIsBetter(e) {
				thr = e.Value * (1 - tol)
			}
			if !assert.Holds(e.Op, v, thr) {
				return false, true
			}
		}
		return true, true
	}
	lo := capRate * 1e-6
	if h, ok := holds(lo); !ok || !h {
		return 0, ok
	}
	if h, ok := holds(hi); ok && h {
		return hi, true
	}
	for range 50 {
		mid := (lo + hi) / 2
		h, ok := holds(mid)
		if !ok {
			return 0, false
		}
		if h {
			lo = mid
		} else {
			hi = mid
		}
		if hi-lo <= 1e-4*lo {
			break
		}
	}
	return lo, true
}

// judgeForecast says whether the model's band meets what the probes
// established: the capacity is at least pass (the highest passing rate)
// and below fail (the lowest rate judged to FAIL; an uncertain probe is
// consistent with both sides, so it bounds nothing here). 0 means none.
func judgeForecast(f *result.CapacityForecast, pass, fail float64) {
	if f == nil || (pass == 0 && fail == 0) {
		return
	}
	hi := fail
	if hi == 0 {
		hi = math.Inf(1)
	}
	agree := f.BandHighRPS >= pass && f.BandLowRPS <= hi
	f.Agrees = &agree
	measured := fmt.Sprintf("the probes (%s rps passed, %s rps failed)", numfmt.Rate(pass), numfmt.Rate(fail))
	switch {
	case fail == 0:
		measured = fmt.Sprintf("the probes (%s rps passed, no rate failed outright)", numfmt.Rate(pass))
	case pass == 0:
		measured = fmt.Sprintf("the probes (%s rps failed, none passed)", numfmt.Rate(fail))
	}
	band := fmt.Sprintf("predicts %s rps (band %s–%s)", numfmt.Rate(f.RateRPS), numfmt.Rate(f.BandLowRPS), numfmt.Rate(f.BandHighRPS))
	if agree {
		f.Note = "the model " + band + ", consistent with " + measured + "; " + f.Note
	} else {
		f.Note = "the model " + band + " DISAGREES with " + measured +
			" (its assumptions — the service time, c, K, the arrivals — do not describe this target); " + f.Note
	}
}
