package queueing

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// SimConfig configures Simulate: a G/G/c/K queue, FCFS, with any
// inter-arrival and service distributions.
type SimConfig struct {
	Interarrival  dist.Sampler // gap between consecutive arrivals, seconds
	Service       dist.Sampler // service time of one request, seconds
	Servers       int          // c ≥ 1
	Capacity      int          // K ≥ c, INCLUDING the c in service; 0 = unbounded queue
	Arrivals      int          // measured arrivals after warm-up, rounded down to a multiple of Batches
	Warmup        int          // arrivals simulated and discarded first; 0 = Arrivals/10, NoWarmup = none
	Batches       int          // contiguous batches for batch means; 0 = 20
	Level         float64      // confidence level of every interval; 0 = 0.95
	Quantiles     []float64    // response-time quantiles to estimate, each in (0, 1)
	WaitQuantiles []float64    // waiting-time quantiles to estimate, each in (0, 1)
	SLO           float64      // if > 0, also estimate P(T > SLO) for admitted requests, seconds

	// Patience > 0 is a deterministic queue timeout (G/G/c/K+D): a request
	// that would wait longer than Patience for a worker leaves unserved
	// after waiting it (FCFS, so its fate is known at arrival).
	Patience float64
	// TokenRate > 0 puts a token bucket in front of the workers: TokenRate
	// tokens per second, at most TokenBurst (≥ 1) stored, full at the start;
	// a request that finds less than one token is refused at once.
	TokenRate, TokenBurst float64
}

// NoWarmup in SimConfig.Warmup measures from the first arrival (empty system).
const NoWarmup = -1

// maxSimArrivals bounds Arrivals + Warmup (memory: 16 bytes per arrival).
const maxSimArrivals = 20_000_000

// SimResult holds the estimates of one simulation. Every Estimate's Value
// is computed over the whole measured run (pooled); its HalfWidth is the
// batch-means interval t_{B−1}·sd_batches/√B at the configured level
// (docs/queueing.md §8). Latencies and waits are those of admitted requests.
type SimResult struct {
	Arrivals int     // measured arrivals
	Blocked  int     // of those, rejected because K were in the system
	Limited  int     // refused by the token bucket
	Reneged  int     // left the queue after waiting Patience
	Duration float64 // simulated seconds measured
	Batches  int

	BlockRatio   Estimate // rejected / arrivals
	Throughput   Estimate // admitted / s
	MeanNumber   Estimate // L, exact time average of the number in system (area integration)
	NumberSeen   Estimate // mean number in system seen by arrivals (= L only with Poisson arrivals: PASTA)
	MeanResponse Estimate // E[T], seconds
	MeanWait     Estimate // E[Wq], seconds
	WaitProb     Estimate // P(Wq > 0)
	SLOTail      Estimate // P(T > SLO), when SLO > 0
	// LimitRatio is limited / arrivals, RenegeRatio reneged / arrivals, and
	// ShedRatio (blocked + limited + reneged) / arrivals: every request not
	// served. Latencies are of served requests only.
	LimitRatio, RenegeRatio, ShedRatio Estimate

	ResponseQuantiles []Estimate // T quantiles, in the order of SimConfig.Quantiles
	WaitQuantiles     []Estimate // Wq quantiles, in the order of SimConfig.WaitQuantiles
}

// batchAcc accumulates one batch.
type batchAcc struct {
	arrivals, blocked, admitted, waited, overSLO int
	limited, reneged                             int
	sumResp, sumWait, sumSeen, area, start, end  float64
	first                                        int // index of the batch's first admitted sample
}

// Simulate runs the G/G/c/K queue described by cfg (with a queue timeout
// and a token bucket in front when cfg asks for them), drawing every random
// number from r, so a fixed seed gives a fixed result. Each arrival draws
// its gap and its service time whether or not it is admitted, so runs that
// differ only in c or K see the same arrivals (common random numbers).
//
// FCFS with c workers: an admitted request starts at max(arrival, earliest
// worker free time) (Kiefer–Wolfowitz workload recursion); the number in
// system is tracked from a heap of departure times, and its time average is
// integrated exactly between events (docs/queueing.md §1). Cost: O(log K) per
// arrival; 200 000 arrivals take a few tens of milliseconds.
func Simulate(cfg SimConfig, r *rand.Rand) (*SimResult, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	if r == nil {
		return nil, errors.New("simulate: nil random source")
	}
	c, k, b := cfg.Servers, cfg.Capacity, cfg.Batches
	per := cfg.Arrivals / b
	n := per * b
	wantResp, wantWait := len(cfg.Quantiles) > 0, len(cfg.WaitQuantiles) > 0
	var resp, wait []float64
	if wantResp {
		resp = make([]float64, 0, n)
	}
	if wantWait {
		wait = make([]float64, 0, n)
	}
	service := fastSampler(cfg.Service)
	gaps := fastSampler(cfg.Interarrival)
	free := make(minHeap, c) // worker free times, all 0
	deps := make(minHeap, 0, min(max(k, c), n)+1)
	batches := make([]batchAcc, b)
	var (
		t, last, area float64
		inSys         int
		tokens        = cfg.TokenBurst
		lastToken     float64
	)
	// advance integrates the number in system up to time now, letting every
	// departure at or before now leave first.
	advance := func(now float64) {
		for len(deps) > 0 && deps.top() <= now {
			d := deps.pop()
			area += float64(inSys) * (d - last)
			last = d
			inSys--
		}
		area += float64(inSys) * (now - last)
		last = now
	}
	total := cfg.Warmup + n
	cur := -1
	for i := 0; i <= total; i++ {
		gap := gaps.Sample(r)
		if !(gap >= 0) || math.IsInf(gap, 0) {
			return nil, fmt.Errorf("simulate: inter-arrival sampler returned %g", gap)
		}
		t += gap
		advance(t)
		if m := i - cfg.Warmup; m >= 0 && m%per == 0 {
			// Batch boundary (or the end of the run at i == total).
			if cur >= 0 {
				batches[cur].area, batches[cur].end = area, t
			}
			if m == n {
				break
			}
			cur++
			batches[cur].start = t
			batches[cur].first = max(len(resp), len(wait)) // equal when both are kept
			area = 0
		}
		s := service.Sample(r)
		if !(s >= 0) || math.IsInf(s, 0) {
			return nil, fmt.Errorf("simulate: service sampler returned %g", s)
		}
		seen := inSys
		if cfg.TokenRate > 0 {
			tokens = math.Min(cfg.TokenBurst, tokens+cfg.TokenRate*(t-lastToken))
			lastToken = t
			if tokens < 1 {
				if cur >= 0 {
					batches[cur].arrivals++
					batches[cur].limited++
					batches[cur].sumSeen += float64(seen)
				}
				continue
			}
			tokens--
		}
		if k > 0 && inSys >= k {
			if cur >= 0 {
				batches[cur].arrivals++
				batches[cur].blocked++
				batches[cur].sumSeen += float64(seen)
			}
			continue
		}
		start := math.Max(t, free.top())
		if cfg.Patience > 0 && start-t > cfg.Patience {
			// Reneges: it holds a place in the queue for Patience, no worker.
			deps.push(t + cfg.Patience)
			inSys++
			if cur >= 0 {
				batches[cur].arrivals++
				batches[cur].reneged++
				batches[cur].sumSeen += float64(seen)
			}
			continue
		}
		dep := start + s
		free.replaceTop(dep)
		deps.push(dep)
		inSys++
		if cur < 0 {
			continue
		}
		ba := &batches[cur]
		w := start - t
		ba.arrivals++
		ba.admitted++
		ba.sumSeen += float64(seen)
		ba.sumResp += w + s
		ba.sumWait += w
		if w > 0 {
			ba.waited++
		}
		if cfg.SLO > 0 && w+s > cfg.SLO {
			ba.overSLO++
		}
		if wantResp {
			resp = append(resp, w+s)
		}
		if wantWait {
			wait = append(wait, w)
		}
	}
	return summarize(cfg, batches, resp, wait)
}

// normalize fills defaults and validates cfg.
func (cfg *SimConfig) normalize() error {
	if cfg.Interarrival == nil || cfg.Service == nil {
		return errors.New("simulate: need an inter-arrival and a service sampler")
	}
	if cfg.Servers < 1 || cfg.Servers > maxCapacity {
		return fmt.Errorf("simulate: workers must be in [1, %d], got %d", maxCapacity, cfg.Servers)
	}
	if cfg.Capacity != 0 && (cfg.Capacity < cfg.Servers || cfg.Capacity > maxCapacity) {
		return fmt.Errorf("simulate: capacity K must be 0 (unbounded) or in [c, %d] (it counts the %d in service), got %d", maxCapacity, cfg.Servers, cfg.Capacity)
	}
	if cfg.Batches == 0 {
		cfg.Batches = 20
	}
	if cfg.Batches < 2 {
		return fmt.Errorf("simulate: need at least 2 batches, got %d", cfg.Batches)
	}
	if cfg.Level == 0 {
		cfg.Level = 0.95
	}
	if !(cfg.Level > 0 && cfg.Level < 1) {
		return fmt.Errorf("simulate: confidence level must be in (0, 1), got %g", cfg.Level)
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = cfg.Arrivals / 10
	}
	if cfg.Warmup == NoWarmup {
		cfg.Warmup = 0
	}
	if cfg.Arrivals < cfg.Batches || cfg.Warmup < 0 || cfg.Arrivals+cfg.Warmup > maxSimArrivals {
		return fmt.Errorf("simulate: need Batches ≤ arrivals and arrivals + warm-up ≤ %d, got %d + %d", maxSimArrivals, cfg.Arrivals, cfg.Warmup)
	}
	for _, p := range append(slices.Clip(cfg.Quantiles), cfg.WaitQuantiles...) {
		if !(p > 0 && p < 1) {
			return fmt.Errorf("simulate: quantile %g is not in (0, 1)", p)
		}
	}
	if !(cfg.SLO >= 0) || math.IsInf(cfg.SLO, 0) {
		return fmt.Errorf("simulate: SLO must be a finite number of seconds ≥ 0, got %g", cfg.SLO)
	}
	if !(cfg.Patience >= 0) || math.IsInf(cfg.Patience, 0) {
		return fmt.Errorf("simulate: patience must be a finite number of seconds ≥ 0, got %g", cfg.Patience)
	}
	if !(cfg.TokenRate >= 0) || math.IsInf(cfg.TokenRate, 0) || (cfg.TokenRate > 0 && !(cfg.TokenBurst >= 1 && !math.IsInf(cfg.TokenBurst, 0))) {
		return fmt.Errorf("simulate: token bucket rate %g, burst %g: want rate ≥ 0 and, with a rate, a finite burst ≥ 1", cfg.TokenRate, cfg.TokenBurst)
	}
	return nil
}

// summarize turns per-batch accumulators into estimates.
func summarize(cfg SimConfig, batches []batchAcc, resp, wait []float64) (*SimResult, error) {
	b := len(batches)
	res := &SimResult{Batches: b}
	var tot batchAcc
	for _, ba := range batches {
		tot.arrivals += ba.arrivals
		tot.blocked += ba.blocked
		tot.limited += ba.limited
		tot.reneged += ba.reneged
		tot.admitted += ba.admitted
		tot.waited += ba.waited
		tot.overSLO += ba.overSLO
		tot.sumResp += ba.sumResp
		tot.sumWait += ba.sumWait
		tot.sumSeen += ba.sumSeen
		tot.area += ba.area
		res.Duration += ba.end - ba.start
	}
	res.Arrivals, res.Blocked, res.Limited, res.Reneged = tot.arrivals, tot.blocked, tot.limited, tot.reneged
	vals := make([]float64, b)
	t := StudentT(cfg.Level, b-1) // one critical value for every figure
	est := func(pooled float64, per func(ba *batchAcc) float64) Estimate {
		for i := range batches {
			vals[i] = per(&batches[i])
		}
		e, err := batchMeans(vals, cfg.Level, t)
		if err != nil {
			return Estimate{Value: pooled, HalfWidth: math.Inf(1)}
		}
		return Estimate{Value: pooled, HalfWidth: e.HalfWidth}
	}
	ratio := func(num, den int) float64 {
		if den == 0 {
			return math.NaN()
		}
		return float64(num) / float64(den)
	}
	meanOf := func(sum float64, den int) float64 {
		if den == 0 {
			return math.NaN()
		}
		return sum / float64(den)
	}
	res.BlockRatio = est(ratio(tot.blocked, tot.arrivals), func(ba *batchAcc) float64 { return ratio(ba.blocked, ba.arrivals) })
	res.LimitRatio = est(ratio(tot.limited, tot.arrivals), func(ba *batchAcc) float64 { return ratio(ba.limited, ba.arrivals) })
	res.RenegeRatio = est(ratio(tot.reneged, tot.arrivals), func(ba *batchAcc) float64 { return ratio(ba.reneged, ba.arrivals) })
	shed := func(ba *batchAcc) int { return ba.blocked + ba.limited + ba.reneged }
	res.ShedRatio = est(ratio(shed(&tot), tot.arrivals), func(ba *batchAcc) float64 { return ratio(shed(ba), ba.arrivals) })
	res.Throughput = est(float64(tot.admitted)/res.Duration, func(ba *batchAcc) float64 { return float64(ba.admitted) / (ba.end - ba.start) })
	res.MeanNumber = est(tot.area/res.Duration, func(ba *batchAcc) float64 { return ba.area / (ba.end - ba.start) })
	res.NumberSeen = est(meanOf(tot.sumSeen, tot.arrivals), func(ba *batchAcc) float64 { return meanOf(ba.sumSeen, ba.arrivals) })
	res.MeanResponse = est(meanOf(tot.sumResp, tot.admitted), func(ba *batchAcc) float64 { return meanOf(ba.sumResp, ba.admitted) })
	res.MeanWait = est(meanOf(tot.sumWait, tot.admitted), func(ba *batchAcc) float64 { return meanOf(ba.sumWait, ba.admitted) })
	res.WaitProb = est(ratio(tot.waited, tot.admitted), func(ba *batchAcc) float64 { return ratio(ba.waited, ba.admitted) })
	if cfg.SLO > 0 {
		res.SLOTail = est(ratio(tot.overSLO, tot.admitted), func(ba *batchAcc) float64 { return ratio(ba.overSLO, ba.admitted) })
	}
	if len(cfg.Quantiles) > 0 {
		res.ResponseQuantiles = quantileEstimates(cfg.Quantiles, cfg.Level, t, batches, resp, vals)
	}
	if len(cfg.WaitQuantiles) > 0 {
		res.WaitQuantiles = quantileEstimates(cfg.WaitQuantiles, cfg.Level, t, batches, wait, vals)
	}
	return res, nil
}

// quantileEstimates computes per-batch quantiles (for the interval), then
// the quantiles of the whole sample (for the value), by selection in place.
func quantileEstimates(ps []float64, level, t float64, batches []batchAcc, xs, vals []float64) []Estimate {
	out := make([]Estimate, len(ps))
	perBatch := make([][]float64, len(batches))
	for i := range batches {
		end := len(xs)
		if i+1 < len(batches) {
			end = batches[i+1].first
		}
		perBatch[i] = quantilesOf(xs[batches[i].first:end], ps)
	}
	pooled := quantilesOf(xs, ps)
	for qi := range ps {
		for i := range batches {
			vals[i] = perBatch[i][qi]
		}
		out[qi].Value = pooled[qi]
		e, err := batchMeans(vals, level, t)
		if err != nil {
			out[qi].HalfWidth = math.Inf(1)
		} else {
			out[qi].HalfWidth = e.HalfWidth
		}
	}
	return out
}

// fastSampler returns a sampler that draws exactly what s draws from the
// same random numbers, with the per-draw constants of a lognormal dist.Dist
// computed once.
func fastSampler(s dist.Sampler) dist.Sampler {
	if d, ok := s.(dist.Dist); ok && d.Kind == dist.Lognormal {
		return lognormalSampler{mu: math.Log(d.Mean) - d.Sigma*d.Sigma/2, sigma: d.Sigma}
	}
	return s
}

// lognormalSampler is dist.Dist.Sample for a lognormal with μ_log precomputed.
type lognormalSampler struct{ mu, sigma float64 }

func (l lognormalSampler) Sample(r *rand.Rand) float64 {
	return math.Exp(l.mu + l.sigma*r.NormFloat64())
}
