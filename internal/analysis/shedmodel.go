package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// Model kinds of the shedding mechanisms beyond a bounded queue.
const (
	kindMMCD    modelKind = iota + 100 // M/M/c+D, exact (queueing.MMCD)
	kindSimD                           // G/G/c+D by simulation (Simulate with Patience)
	kindTB                             // token bucket, evenly spaced arrivals: exact (TokenBucketUniform)
	kindTBSim                          // token bucket, other arrivals: simulated
	kindTBQueue                        // a rate limit that delays: M/D/1/K of its pace, simulated (ratedelay.go)
)

// evenSCV is the arrival SCV below which arrivals count as evenly spaced,
// so a token bucket's refusals are TokenBucketUniform's exactly.
const evenSCV = 0.05

// tbKind is the token-bucket kind for arrivals of SCV ca2.
func tbKind(ca2 float64) modelKind {
	if ca2 < evenSCV {
		return kindTB
	}
	return kindTBSim
}

// kindFor is the kind that predicts arrivals of SCV ca2 (poisson: they
// passed poissonStage) under this model, as chooseModel and adoptShedding
// pick a stage's: the mechanism's kind, exact where the arrivals are
// Poisson and the service exponential, else simulated or approximated.
func (m *model) kindFor(poisson bool, ca2 float64) modelKind {
	exact, approx := kindMMC, kindGGc
	switch {
	case m.kind == kindTBQueue:
		return kindTBQueue
	case m.kind == kindTB || m.kind == kindTBSim:
		return tbKind(ca2)
	case m.kind == kindMMCD || m.kind == kindSimD:
		exact, approx = kindMMCD, kindSimD
	case m.k > 0:
		exact, approx = kindMMCK, kindSimK
	}
	if poisson && m.expSvc {
		return exact
	}
	return approx
}

// tolAdaptive is the tolerance of an adaptive limit modelled as a fixed
// one at its mean: an approximation, so wide that the 20% rule keeps any
// verdict from claiming agreement.
const tolAdaptive = 0.25

func shedKindName(k modelKind) string {
	switch k {
	case kindMMCD:
		return "M/M/c+D"
	case kindSimD:
		return "G/G/c+D (simulated)"
	case kindTB:
		return "token bucket"
	case kindTBSim:
		return "token bucket (simulated)"
	case kindTBQueue:
		return "delaying rate limit (simulated)"
	}
	return "none"
}

func shedKindWhy(k modelKind) string {
	switch k {
	case kindMMCD:
		return "the exact M/M/c+D formulas (queueing.MMCD: Baccelli–Hebuterne, Boots–Tijms)"
	case kindSimD:
		return fmt.Sprintf("simulating G/G/c+D (%d stages' worth of arrivals: gamma inter-arrivals of the stage's SCV, a service time of the measured mean and SCV, the queue timeout; the simulation's 95%% interval is in the band)", noiseReps)
	case kindTB:
		return "the token bucket's exact refusals of evenly spaced arrivals (queueing.TokenBucketUniform: 1 − R/λ once the bucket has room)"
	case kindTBSim:
		return fmt.Sprintf("simulating the token bucket (%d stages' worth of gamma inter-arrivals of the stage's SCV)", noiseReps)
	case kindTBQueue:
		return fmt.Sprintf("simulating M/D/1/K with the service 1/R and K = B + 1 (%d stages' worth of gamma inter-arrivals of the stage's SCV); a response is the wait plus the measured E[S]", noiseReps)
	}
	return ""
}

// adoptShedding turns the model into the recognised mechanism's: the
// queue-timeout kinds in place of the unbounded queue's, a token bucket
// per stage (which needs no workers), or a note for an adaptive limit.
func (m *model) adoptShedding(sh *recognition, data []*stageData, svc *service) {
	m.mech = sh.best.mech
	switch m.mech {
	case mechQueueTimeout:
		if m.c < 1 || !svc.known() {
			return
		}
		m.patience = sh.best.patience
		swap := map[modelKind]modelKind{kindMMC: kindMMCD, kindGGc: kindSimD}
		for pos, k := range m.kinds {
			m.kinds[pos] = swap[k]
		}
		m.kind = swap[m.kind]
		m.name = kindName(m.kind)
		m.notes = []string{fmt.Sprintf("a request waits at most D = %s for a worker, then is answered 503 (queue timeout): predicted by %s",
			numfmt.Seconds(m.patience), kindWhy(m.kind))}
		m.kendall += "+D"
	case mechRateLimit:
		if sh.best.delay > 0 {
			m.adoptDelayed(sh.best, data) // ratedelay.go
			return
		}
		m.rate, m.burst = sh.best.rate, sh.best.burst
		m.kinds = map[int]modelKind{}
		n := map[modelKind]int{}
		for _, d := range data {
			k := tbKind(d.ca2)
			m.kinds[d.pos] = k
			n[k]++
		}
		m.kind = kindTB
		if n[kindTBSim] > n[kindTB] {
			m.kind = kindTBSim
		}
		m.name = kindName(m.kind)
		m.kendall = "TB(" + strconv.FormatFloat(m.rate, 'g', 4, 64) + "/s, " + strconv.FormatFloat(m.burst, 'g', 4, 64) + ")"
		bucket := fmt.Sprintf("B = %g tokens", m.burst)
		if m.burst == 1 {
			bucket = "B = 1 token"
		}
		if !sh.burstSeen {
			// The fit did not tell this bucket from the largest it tried
			// (bestBurst): say the size is the model's, not the target's.
			bucket += " (assumed: the run does not tell the bucket's size; a larger one fits as well)"
		}
		m.notes = []string{fmt.Sprintf("a token bucket of R = %.4g/s and %s refuses what exceeds it, whatever the service: predicted by %s; the workers behind it are not modelled, so no times are predicted",
			m.rate, bucket, kindWhy(m.kind))}
	case mechAdaptive:
		m.notes = append(m.notes, fmt.Sprintf("the concurrency limit adapts: modelled as a fixed K = %d (its level while shedding), an approximation with a %s tolerance", m.k, numfmt.Share(tolAdaptive)))
	}
}

// predictShed predicts a stage under a queue timeout or a token bucket.
func (m *model) predictShed(kind modelKind, p prediction, lambda, ca2, s float64, n int64, stage int) (prediction, error) {
	switch kind {
	case kindMMCD:
		q, err := queueing.NewMMCD(lambda, 1/s, m.c, m.patience)
		if err != nil {
			return p, err
		}
		p.block, p.mean, p.p99 = q.AbandonProb(), q.MeanResponse(), q.ResponseQuantile(0.99)
		p.haveBlock, p.haveMean, p.haveP99 = true, true, true
		p.relax = m.timeoutRelaxation(lambda, 1/s)
	case kindSimD:
		res, err := m.simulate(kind, lambda, ca2, s, n, stage)
		if err != nil {
			return p, err
		}
		p.block, p.blockHW = res.ShedRatio.Value, res.ShedRatio.HalfWidth
		p.mean, p.meanHW = res.MeanResponse.Value, res.MeanResponse.HalfWidth
		p.p99, p.p99HW = res.ResponseQuantiles[0].Value, res.ResponseQuantiles[0].HalfWidth
		p.haveBlock, p.haveMean, p.haveP99 = isFinite(p.block), isFinite(p.mean), isFinite(p.p99)
		p.relax = m.timeoutRelaxation(lambda, 1/s) * math.Max(1, (ca2+m.svc.scv)/2)
		setNoise(&p, res, n)
	case kindTBQueue:
		return m.predictDelayedStage(p, lambda, ca2, s, n, stage) // ratedelay.go
	case kindTB:
		p.block, p.haveBlock = queueing.TokenBucketUniform(lambda, m.rate, m.burst), true
		p.why = "the workers behind the rate limit are not modelled"
	case kindTBSim:
		gaps, err := dist.Interarrivals(lambda, math.Min(ca2, 100))
		if err != nil {
			return p, err
		}
		per := max(min(n, noiseMaxTotal/noiseReps), 200)
		res, err := queueing.Simulate(queueing.SimConfig{
			Interarrival: gaps, Service: dist.Dist{Kind: dist.Deterministic, Mean: 1e-9}, Servers: 1,
			TokenRate: m.rate, TokenBurst: m.burst, Arrivals: int(per) * noiseReps, Batches: noiseReps,
			Quantiles: []float64{0.99}, Level: level,
		}, rand.New(rand.NewPCG(m.seed, uint64(stage))))
		if err != nil {
			return p, err
		}
		p.block, p.blockHW, p.haveBlock = res.ShedRatio.Value, res.ShedRatio.HalfWidth, true
		setNoise(&p, res, n)
		p.why = "the workers behind the rate limit are not modelled"
	}
	if m.c > 0 {
		p.util = lambda * s / float64(m.c)
	}
	return p, nil
}

// timeoutRelaxation is the relaxation time of a queue timeout's chain,
// taken as the M/M/c/K one with the room the timeout leaves, K = c + ⌈λD⌉
// (a waiting line longer than λD has timed out at its head).
func (m *model) timeoutRelaxation(lambda, mu float64) float64 {
	k := m.c + max(1, int(math.Ceil(lambda*m.patience)))
	return queueing.RelaxationTimeMMCK(lambda, mu, m.c, k)
}
