package sizing

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// TimeoutSizing is Timeout's answer for a server with a queue timeout
// (M/M/c+D, or G/G/c+D simulated): the workers and the timeout D.
type TimeoutSizing struct {
	Feasible bool
	Reason   string

	Workers int
	// Timeout is the shortest D that keeps the timed-out fraction at or
	// under MaxReject (a longer one only adds waiting); MaxTimeout the
	// longest that keeps the served requests' SLO quantile within the SLO
	// (+Inf when any does).
	Timeout, MaxTimeout float64
	Utilization         float64 // offered ρ = λ·E[S]/c
	Abandon             queueing.Estimate
	ResponseSLO         queueing.Estimate // served requests' SLO quantile at Timeout, seconds
	ResponseMean        queueing.Estimate
	Method              string // "exact" (M/M/c+D) or "simulation"
	Model               string // "M/M/c+D", "G/LN/c+D", ...
}

// timeoutModel evaluates a c-worker queue with timeout d: the timed-out
// fraction and the served requests' SLO quantile and mean.
type timeoutModel func(c int, d float64) (abandon, q, mean queueing.Estimate, err error)

// Timeout recommends the fewest workers c (ρ below 1 and
// MaxUtilization) for which some queue timeout keeps the timed-out
// fraction ≤ MaxReject while the served requests' SLO quantile stays ≤ the
// SLO, and for it the shortest such timeout (the abandon ratio falls and
// the served quantile rises with D, so both bounds are found by
// bisection). Poisson arrivals with exponential service are exact
// (MMCD); anything else is simulated (Simulate with Patience; r seeds it).
func Timeout(spec Spec, r *rand.Rand) (*TimeoutSizing, error) {
	if _, err := newSizer(spec, r); err != nil {
		return nil, err
	}
	z := &TimeoutSizing{Method: "exact", Model: "M/M/c+D", MaxTimeout: math.Inf(1)}
	exact := spec.ArrivalSCV == 1 && spec.Service.Kind == dist.Exponential
	model := timeoutModel(func(c int, d float64) (queueing.Estimate, queueing.Estimate, queueing.Estimate, error) {
		q, err := queueing.NewMMCD(spec.Rate, 1/spec.Service.Mean, c, d)
		if err != nil {
			return queueing.Estimate{}, queueing.Estimate{}, queueing.Estimate{}, err
		}
		return queueing.Estimate{Value: q.AbandonProb()}, queueing.Estimate{Value: q.ResponseQuantile(spec.SLO.Quantile)}, queueing.Estimate{Value: q.MeanResponse()}, nil
	})
	if !exact {
		if r == nil {
			return nil, errors.New("size: a simulation needs a random source")
		}
		gaps, err := dist.Interarrivals(spec.Rate, spec.ArrivalSCV)
		if err != nil {
			return nil, err
		}
		n := spec.SimArrivals
		if n == 0 {
			n = 200_000
		}
		seed := r.Uint64()
		z.Method, z.Model = "simulation", arrivalKendall(spec.ArrivalSCV)+"/"+spec.Service.Kendall()+"/c+D"
		model = func(c int, d float64) (queueing.Estimate, queueing.Estimate, queueing.Estimate, error) {
			res, err := queueing.Simulate(queueing.SimConfig{Interarrival: gaps, Service: spec.Service, Servers: c, Patience: math.Max(d, 1e-9),
				Arrivals: n, Quantiles: []float64{spec.SLO.Quantile}}, rand.New(rand.NewPCG(seed, uint64(c))))
			if err != nil {
				return queueing.Estimate{}, queueing.Estimate{}, queueing.Estimate{}, err
			}
			return res.RenegeRatio, res.ResponseQuantiles[0], res.MeanResponse, nil
		}
	}
	if q := spec.Service.Quantile(spec.SLO.Quantile); q > spec.SLO.Target {
		z.Reason = fmt.Sprintf("the service time alone has %s %s > %s: no timeout and no worker count help", numfmt.Quantile(spec.SLO.Quantile), numfmt.Seconds(q), numfmt.Seconds(spec.SLO.Target))
		return z, nil
	}
	maxU := spec.MaxUtilization
	if maxU == 0 {
		maxU = 1
	}
	load := spec.Rate * spec.Service.Mean
	start, end := max(1, int(math.Floor(load/maxU))+1), 0
	if spec.Workers > 0 {
		start = spec.Workers
		end = start
	} else {
		end = start + 10_000
	}
	for c := start; c <= end; c++ {
		rho := load / float64(c)
		if rho >= 1 || rho > maxU {
			z.Workers, z.Utilization = c, rho
			z.Reason = fmt.Sprintf("%d workers: utilisation ρ = %.3g is not below 1 and %s", c, rho, numfmt.Share(maxU))
			continue
		}
		ok, err := z.try(c, rho, spec, model)
		if err != nil {
			return nil, err
		}
		if ok {
			return z, nil
		}
	}
	if spec.Workers == 0 {
		z.Reason = "no worker count up to 10 000 beyond the load meets the objectives"
	}
	return z, nil
}

// try sizes the timeout for c workers; true when c meets the objectives.
func (z *TimeoutSizing) try(c int, rho float64, spec Spec, model timeoutModel) (bool, error) {
	abandonAt := func(d float64) (float64, error) {
		a, _, _, err := model(c, d)
		return a.Value, err
	}
	// The shortest D with abandon ≤ MaxReject: double, then bisect.
	hi := spec.Service.Mean
	for i := 0; ; i++ {
		a, err := abandonAt(hi)
		if err != nil {
			return false, err
		}
		if a <= spec.MaxReject {
			break
		}
		if i > 60 {
			return false, nil
		}
		hi *= 2
	}
	lo := 0.0
	for range 40 {
		mid := (lo + hi) / 2
		a, err := abandonAt(mid)
		if err != nil {
			return false, err
		}
		if a <= spec.MaxReject {
			hi = mid
		} else {
			lo = mid
		}
		if hi-lo < 1e-4*hi {
			break
		}
	}
	a, q, mean, err := model(c, hi)
	if err != nil {
		return false, err
	}
	z.Workers, z.Timeout, z.Utilization, z.Abandon, z.ResponseSLO, z.ResponseMean = c, hi, rho, a, q, mean
	if q.Value > spec.SLO.Target {
		z.Reason = fmt.Sprintf("%d workers: the timeout that keeps timeouts ≤ %s (%s) lets the served %s reach %s > %s",
			c, numfmt.Share(spec.MaxReject), numfmt.Seconds(hi), numfmt.Quantile(spec.SLO.Quantile), numfmt.Seconds(q.Value), numfmt.Seconds(spec.SLO.Target))
		return false, nil
	}
	z.Feasible, z.Reason = true, ""
	// The longest D that keeps the served quantile within the SLO.
	lo, top := hi, hi*2
	for i := 0; i < 30; i++ {
		_, q, _, err := model(c, top)
		if err != nil {
			return false, err
		}
		if q.Value > spec.SLO.Target {
			break
		}
		lo, top = top, top*2
		if i == 29 {
			return true, nil // every timeout does: MaxTimeout stays +Inf
		}
	}
	for range 40 {
		mid := (lo + top) / 2
		_, q, _, err := model(c, mid)
		if err != nil {
			return false, err
		}
		if q.Value <= spec.SLO.Target {
			lo = mid
		} else {
			top = mid
		}
		if top-lo < 1e-4*top {
			break
		}
	}
	z.MaxTimeout = lo
	return true, nil
}

// MaxRateForSLO is the highest arrival rate that c workers serve within
// the SLO (their SLO quantile of the response time at most its target) at
// utilisation ≤ maxUtil: the rate a rate limit in front of them should
// let through. Exact M/M/c for exponential service; Whitt's G/G/c
// heuristic otherwise (about 10%), with the arrival SCV given (a token
// bucket smooths what it admits, so 1 is conservative). 0 when even a
// trickle breaks the SLO (the service time alone).
func MaxRateForSLO(c int, service dist.Dist, arrivalSCV float64, slo SLO, maxUtil float64) (float64, error) {
	if c < 1 {
		return 0, fmt.Errorf("size: workers must be ≥ 1, got %d", c)
	}
	if maxUtil <= 0 || maxUtil > 1 {
		maxUtil = 1
	}
	q := func(lambda float64) (float64, error) {
		if service.Kind == dist.Exponential && arrivalSCV == 1 {
			m, err := queueing.NewMMC(lambda, 1/service.Mean, c)
			if err != nil {
				return math.Inf(1), nil
			}
			return m.ResponseQuantile(slo.Quantile), nil
		}
		g, err := queueing.NewGGcApprox(lambda, c, service, arrivalSCV)
		if err != nil {
			return math.Inf(1), nil
		}
		return g.ResponseQuantile(slo.Quantile), nil
	}
	hi := float64(c) / service.Mean * math.Min(maxUtil, 1-1e-9)
	if v, err := q(hi); err == nil && v <= slo.Target {
		return hi, nil
	}
	lo := 0.0
	if v, _ := q(hi * 1e-6); v > slo.Target {
		return 0, nil
	}
	for range 60 {
		mid := (lo + hi) / 2
		v, err := q(mid)
		if err != nil {
			return 0, err
		}
		if v <= slo.Target {
			lo = mid
		} else {
			hi = mid
		}
	}
	return lo, nil
}
