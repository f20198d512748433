package analysis

import (
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// A rate limit that delays: nginx's limit_req with a burst and without
// nodelay (its default), a leaky bucket in front of the workers. A request
// that finds the limiter idle passes at once; each later one waits until
// 1/R after the one before it passed, and one whose wait would pass B
// slots (B/R) is refused at once. That is M/D/1/K with the service 1/R and
// K = B + 1, where a request waits its queueing time and is then served by
// the workers behind (E[S], not modelled as a queue): its response is
// Wq + E[S]. The plain token bucket (nodelay) makes nobody wait, so its
// fit misses these waits by the whole B/R; fitted as a fixed limit, the
// 503s at one in-flight level made nginx `limit_req rate=300r/s burst=30`
// an adaptive limit of 34 with 1 worker, at 98%.

// delayedRates are the candidates of a rate limit at the admitted rate
// (corrected as fitRate corrects it) that delays up to B requests, for B
// around the in-flight level at which it refused: K admitted (B waiting
// and those at the workers, R·E[S]) plus the refused one.
func (an *analyzer) delayedRates(admitted float64, obs *shedObs) []candidate {
	// Only where the client waited in front of the target (hiddenQueue:
	// Server-Timing does not see the wait), as behind a limiter in a
	// proxy: a target's own bounded queue reports its waits, and at the
	// rate c/E[S] with B = K − c a delaying limit mimics it too well to be
	// offered against it (the built-in target's M/M/8/24 split 55:39).
	if an.ovh.upstream == "" || obs.rejWindows == 0 || !(an.svc.mean > 0) || !(admitted > 0) {
		return nil
	}
	k := int(obs.inFlightLow) - 1 - int(math.Round(admitted*an.svc.mean))
	var out []candidate
	for b := max(1, k-2); b <= k+1; b++ {
		out = append(out, an.correctRate(candidate{mech: mechRateLimit, rate: admitted, burst: 1, delay: b}, admitted))
	}
	return out
}

// predictDelayed is predict for a rate limit that delays (cd.delay > 0):
// simulated M/D/1/K (simulate gives it the service 1/R), the mean response
// moved from the limiter's Wq + 1/R to Wq + E[S].
func (cd *candidate) predictDelayed(d *stageData, label string, svc *service, seed uint64) (fitPred, bool) {
	fp, ok := cd.simulate(d, label, svc, queueing.SimConfig{Servers: 1, Capacity: cd.delay + 1}, seed)
	if !ok {
		return fitPred{}, false
	}
	fp.mean += svc.mean - 1/cd.rate
	return fp, isFinite(fp.ratio) && isFinite(fp.mean)
}

// adoptDelayed makes the model a delaying rate limit's (adoptShedding).
func (m *model) adoptDelayed(best candidate, data []*stageData) {
	m.rate, m.burst, m.delay = best.rate, 0, best.delay
	m.kinds = map[int]modelKind{}
	for _, d := range data {
		m.kinds[d.pos] = kindTBQueue
	}
	m.kind = kindTBQueue
	m.name = kindName(m.kind)
	m.kendall = fmt.Sprintf("M/D/1/%d (1/R = %s) + S", best.delay+1, numfmt.Seconds(1/best.rate))
	m.notes = []string{fmt.Sprintf("a rate limit of R = %.4g/s delays up to B = %d requests to its pace and refuses the rest at once (nginx limit_req's burst without nodelay): predicted by %s",
		m.rate, m.delay, kindWhy(m.kind))}
}

// predictDelayedStage predicts a stage under a delaying rate limit: the
// block ratio and the mean response Wq + E[S]; no p99 (the workers'
// service is added in the mean only).
func (m *model) predictDelayedStage(p prediction, lambda, ca2, s float64, n int64, stage int) (prediction, error) {
	gaps, err := dist.Interarrivals(lambda, math.Min(ca2, 100))
	if err != nil {
		return p, err
	}
	per := max(min(n, noiseMaxTotal/noiseReps), 200)
	res, err := queueing.Simulate(queueing.SimConfig{
		Interarrival: gaps, Service: dist.Dist{Kind: dist.Deterministic, Mean: 1 / m.rate}, Servers: 1, Capacity: m.delay + 1,
		Arrivals: int(per) * noiseReps, Batches: noiseReps, Quantiles: []float64{0.99}, Level: level,
	}, rand.New(rand.NewPCG(m.seed, uint64(stage))))
	if err != nil {
		return p, err
	}
	p.block, p.blockHW, p.haveBlock = res.ShedRatio.Value, res.ShedRatio.HalfWidth, true
	p.mean, p.meanHW = res.MeanResponse.Value-1/m.rate+s, res.MeanResponse.HalfWidth
	p.haveMean = isFinite(p.mean)
	setNoise(&p, res, n)
	p.why = "the workers behind the rate limit are not modelled as a queue (the mean is the limiter's wait plus E[S])"
	return p, nil
}

// rebaseDelayedOverhead corrects the overhead when the queue in front of
// the target that hiddenQueue found is a delaying rate limit's: the
// lowest-load stage's overhead (Server-Timing) holds the limiter's waits
// there as well, which the model predicts, so the overhead is that
// stage's mean less the predicted mean wait (at 150 rps against nginx
// limit_req rate=300r/s, 1.95 ms of which 1.6 ms was the limiter's).
func (an *analyzer) rebaseDelayedOverhead() {
	o := an.ovh
	if an.m.kind != kindTBQueue || o.upstream == "" || !o.lowKnown {
		return
	}
	var low *stageData
	for _, d := range an.data {
		if d.srv != nil && d.st.Latency2xx.Count > 0 && (low == nil || d.lambda < low.lambda) {
			low = d
		}
	}
	if low == nil {
		return
	}
	p, err := an.m.predictDelayedStage(prediction{}, low.lambda, low.ca2, an.svc.mean, low.st.Sent, low.st.Index)
	if err != nil || !p.haveMean {
		return
	}
	wait := p.mean - an.svc.mean
	raw := low.st.Latency2xx.Mean - (low.srv.queueMean + low.srv.svcMn)
	base := math.Max(0, raw-wait)
	if !isFinite(base) {
		return
	}
	for k := range o.perStage {
		o.perStage[k] = base
	}
	o.mean, o.low = base, base
	an.warnf("the queue in front of the target is the rate limit's delay: the overhead is the lowest-load stage %d's mean %s less the limiter's predicted wait there, %s: %s",
		low.st.Index, numfmt.Seconds(raw), numfmt.Seconds(wait), numfmt.Seconds(base))
}
