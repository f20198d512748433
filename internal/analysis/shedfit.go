package analysis

import (
	"math"
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// Shedding mechanisms (result.Shedding.Mechanism).
const (
	mechBoundedQueue = "bounded-queue"
	mechQueueTimeout = "queue-timeout"
	mechRateLimit    = "rate-limit"
	mechConcurrency  = "concurrency-limit"
	mechAdaptive     = "adaptive-limit"
	mechUnbounded    = "unbounded"
	mechNone         = "none"
	mechUnknown      = "unknown"
)

// candidate is one shedding mechanism with the parameters that fit the
// result best, and how well it explains the result.
type candidate struct {
	mech     string
	c, k     int     // workers; system capacity K = c + queue (the limit for concurrency and adaptive limits)
	patience float64 // queue timeout D, seconds
	rate     float64 // token rate R, per second
	burst    float64 // bucket size B (0: not identified, modelled as 2·⌈R/λ⌉ + 1... see rateBurst)
	hold     float64 // mean time a slot is held, seconds, when longer than the service (0: the service; hold.go)
	delay    int     // requests a rate limit delays to its pace rather than refuse (0: none; ratedelay.go)
	ll       float64 // log-likelihood of the evidence under the candidate
	chi2     float64 // the shed ratios' χ² over the stages
	stages   int     // stages in chi2
}

// shedStageMin is the fewest responses a stage needs to enter a fit, and
// minShedStage the shed ratio from which a stage counts as shedding.
const (
	shedStageMin = 50
	minShedStage = 0.02
)

// fitArrivals bounds the arrivals of each fit simulation: 8 to 20
// replications of a stage (of at most 1500 arrivals each), cheap enough
// for a few mechanisms × stages.
const fitArrivals = 12_000

// fitPred is a candidate's prediction for one stage: the shed ratio and
// the served requests' mean response time (seconds, server side), with
// their standard deviations over stages of this length under the model
// (simulated replications: near saturation rejections come in bursts and
// a stage's ratio varies far more than its count suggests).
type fitPred struct {
	ratio, mean     float64
	ratioSD, meanSD float64
}

// predict is the candidate's prediction for stage d: exact where a formula
// is (Poisson arrivals, exponential service), else simulated; the spread
// always from a simulation of stage-long replications.
//
// spread, when not nil, caches the spread by mechanism and stage for the
// exact cases (candidates of one mechanism differ little in it; only
// their ratios need their own evaluation).
func (cd *candidate) predict(d *stageData, label string, svc *service, seed uint64, spread map[spreadKey]fitPred) (fitPred, bool) {
	lambda, s := d.lambda, svc.mean
	if !(lambda > 0) || !(s > 0) {
		return fitPred{}, false
	}
	if cd.hold > 0 {
		// Slots held longer than the service (hold.go): the sheds at the
		// hold, the server's time at the service (a loss system's
		// response is its service).
		held := *svc
		held.mean = cd.hold
		cp := *cd
		cp.hold = 0
		fp, ok := cp.predict(d, label, &held, seed, nil)
		fp.mean -= cd.hold - s
		return fp, ok
	}
	exact := poissonStage(d, label) && math.Abs(svc.scv-1) <= expSCVTol
	var cfg queueing.SimConfig
	var fp fitPred
	ok := true
	switch cd.mech {
	case mechBoundedQueue, mechConcurrency, mechAdaptive:
		cfg = queueing.SimConfig{Servers: cd.c, Capacity: cd.k}
		if exact {
			q, err := queueing.NewMMCK(lambda, 1/s, cd.c, cd.k)
			ok = err == nil
			if ok {
				fp.ratio, fp.mean = q.BlockProb(), q.MeanResponse()
			}
		}
	case mechQueueTimeout:
		cfg = queueing.SimConfig{Servers: cd.c, Patience: cd.patience}
		if exact {
			q, err := queueing.NewMMCD(lambda, 1/s, cd.c, cd.patience)
			ok = err == nil
			if ok {
				fp.ratio, fp.mean = q.AbandonProb(), q.MeanResponse()
			}
		}
	case mechRateLimit:
		if cd.delay > 0 {
			return cd.predictDelayed(d, label, svc, seed) // ratedelay.go
		}
		// The bucket refuses by arrival times alone; the workers behind it
		// are not modelled here (no wait is assumed).
		cfg = queueing.SimConfig{Servers: 1, TokenRate: cd.rate, TokenBurst: cd.burst}
		exact = tbKind(d.ca2) == kindTB
		fp.ratio, fp.mean = queueing.TokenBucketUniform(lambda, cd.rate, cd.burst), s
	default:
		return fitPred{}, false
	}
	if !ok {
		return fitPred{}, false
	}
	key := spreadKey{cd.mech, d.pos}
	sim, cached := spread[key]
	if !exact || !cached {
		if sim, ok = cd.simulate(d, label, svc, cfg, seed); !ok {
			return fitPred{}, false
		}
		if exact && spread != nil {
			spread[key] = sim
		}
	}
	fp.ratioSD, fp.meanSD = sim.ratioSD, sim.meanSD
	if !exact {
		fp.ratio = sim.ratio
		if cd.mech != mechRateLimit {
			fp.mean = sim.mean
		}
	}
	return fp, isFinite(fp.ratio)
}

// spreadKey names a cached spread: a mechanism at a stage.
type spreadKey struct {
	mech string
	pos  int
}

// simulate runs cfg at the stage's rate and arrival SCV with the service
// time (a negligible one for a bare token bucket), as replications of the
// stage's length (at most 1500 arrivals each, the spread scaled by √ to
// longer stages). Arrivals the model takes for Poisson are simulated as
// such (exponential gaps: the same process, and cheaper than gamma).
func (cd *candidate) simulate(d *stageData, label string, svc *service, cfg queueing.SimConfig, seed uint64) (fitPred, bool) {
	ca2 := math.Min(d.ca2, 100)
	if poissonStage(d, label) {
		ca2 = 1
	}
	gaps, err := dist.Interarrivals(d.lambda, ca2)
	if err != nil {
		return fitPred{}, false
	}
	service := dist.Dist{Kind: dist.Deterministic, Mean: 1e-9}
	if cd.delay > 0 {
		service.Mean = 1 / cd.rate // a delaying rate limit's pace (ratedelay.go)
	} else if cd.mech != mechRateLimit {
		if service, err = dist.FromMeanSCV(svc.mean, svc.scv); err != nil {
			return fitPred{}, false
		}
	}
	n := max(d.st.Sent, 1)
	per := min(max(n, 200), 1500)
	b := min(max(fitArrivals/per, 8), 20)
	cfg.Interarrival, cfg.Service, cfg.Arrivals, cfg.Batches, cfg.Level = gaps, service, int(per*b), int(b), level
	res, err := queueing.Simulate(cfg, rand.New(rand.NewPCG(seed, uint64(d.pos))))
	if err != nil {
		return fitPred{}, false
	}
	// Batch-means half-width t·sd/√B → the sd of one replication, scaled
	// to the stage's n arrivals.
	f := math.Sqrt(float64(b)) / queueing.StudentT(level, int(b)-1) * math.Sqrt(math.Min(1, float64(per)/float64(n)))
	return fitPred{ratio: res.ShedRatio.Value, mean: res.MeanResponse.Value,
		ratioSD: finiteOr(res.ShedRatio.HalfWidth*f, 0), meanSD: finiteOr(res.MeanResponse.HalfWidth*f, 0)}, isFinite(res.ShedRatio.Value)
}

// ratioSigma is the standard deviation of a stage's shed ratio against a
// prediction: the larger of its own standard error (binomial, or batch
// means over its 1-second windows when there are 4) and the model's spread
// over stages this long, plus a model allowance of 3% of the ratio and
// 0.2 points (simulated fits, rounding of c and K).
func ratioSigma(d *stageData, obs float64, fp fitPred) float64 {
	n := float64(d.responses)
	se := math.Sqrt(math.Max(obs*(1-obs), 1/n) / n)
	if bs := d.batches(1, 0); len(bs) >= minKneeBatches {
		if hw, ok := blockHW(bs); ok {
			se = math.Max(se, hw/queueing.StudentT(level, len(bs)-1))
		}
	}
	se = math.Max(se, fp.ratioSD)
	m := 0.03*fp.ratio + 0.002
	return math.Sqrt(se*se + m*m)
}

// latencySigma is the same for a stage's mean 2xx latency against a
// prediction p: its batch-means standard error (else 5% of it) or the
// model's spread, plus 10% of the prediction and 200 µs for the model and
// the overhead.
func latencySigma(d *stageData, obs, p, modelSD float64) float64 {
	se := 0.05 * obs
	if bs := d.batches(1, 0); len(bs) >= minKneeBatches {
		if hw, ok := meanHW(bs); ok {
			se = hw / queueing.StudentT(level, len(bs)-1)
		}
	}
	se = math.Max(se, modelSD)
	m := 0.1*p + 200e-6
	return math.Sqrt(se*se + m*m)
}

// approx widens sigma, a prediction's error, by the candidate's own
// approximation: an adaptive limit modelled as a fixed one at its mean is
// off by up to tolAdaptive of what it predicts (v), which its fit must
// not count against it, as its verdicts do not.
func (cd *candidate) approx(sigma, v float64) float64 {
	if cd.mech != mechAdaptive {
		return sigma
	}
	return math.Hypot(sigma, tolAdaptive*v)
}

// fit scores the candidate on every stage: the χ² of the shed ratios, and
// of the mean 2xx latencies of the shedding stages (where the mechanisms
// differ: a full queue makes the admitted wait, a limiter does not).
func (cd *candidate) fit(data []*stageData, label string, svc *service, ovh *overheadInfo, seed uint64, spread map[spreadKey]fitPred) {
	var chiLat float64
	for _, d := range data {
		if d.responses < shedStageMin {
			continue
		}
		fp, ok := cd.predict(d, label, svc, seed, spread)
		if !ok {
			cd.chi2 += 25 // a stage the candidate cannot even predict
			cd.stages++
			continue
		}
		obs := float64(d.n503) / float64(d.responses)
		z := (obs - fp.ratio) / cd.approx(ratioSigma(d, obs, fp), fp.ratio)
		cd.chi2 += z * z
		cd.stages++
		if obs >= minShedStage && d.n2xx >= minP99Batch {
			o, _, _ := ovh.forStage(d)
			p := fp.mean + o
			zl := (d.st.Latency2xx.Mean - p) / cd.approx(latencySigma(d, d.st.Latency2xx.Mean, p, fp.meanSD), fp.mean)
			chiLat += zl * zl
		}
	}
	cd.ll -= (cd.chi2 + chiLat) / 2
}

// bestBurst keeps the best-fitting rate-limit candidate; the burst counts
// as seen when it fits better than the largest by more than 4 in χ² (a
// likelihood ratio of e²).
func bestBurst(cands []candidate, rc *recognition) []candidate {
	var keep []candidate
	var best, largest, delayed *candidate
	for i := range cands {
		cd := &cands[i]
		if cd.mech != mechRateLimit {
			keep = append(keep, *cd)
			continue
		}
		if cd.delay > 0 { // a delaying limit has no bucket to size (ratedelay.go)
			if delayed == nil || cd.ll > delayed.ll {
				delayed = cd
			}
			continue
		}
		if best == nil || cd.ll > best.ll {
			best = cd
		}
		if largest == nil || cd.burst > largest.burst {
			largest = cd
		}
	}
	if best != nil {
		rc.burstSeen = best.ll > largest.ll+2
		for i := range cands {
			if cd := &cands[i]; cd.mech == mechRateLimit && cd.delay == 0 && cd.burst < best.burst && cd.ll < best.ll-2 {
				rc.burstAbove = math.Max(rc.burstAbove, cd.burst)
			}
		}
	}
	switch {
	case delayed != nil && (best == nil || delayed.ll > best.ll):
		rc.burstSeen, rc.burstAbove = false, 0
		keep = append(keep, *delayed)
	case best != nil:
		keep = append(keep, *best)
	}
	return keep
}

// bestOf keeps only the best-fitting candidate of mechanism mech.
func bestOf(cands []candidate, mech string) []candidate {
	best := -1
	for i, cd := range cands {
		if cd.mech == mech && (best < 0 || cd.ll > cands[best].ll) {
			best = i
		}
	}
	var out []candidate
	for i, cd := range cands {
		if cd.mech != mech || i == best {
			out = append(out, cd)
		}
	}
	return out
}
