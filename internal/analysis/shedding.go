package analysis

import (
	"fmt"
	"math"
	"slices"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// validateShedding checks the spec's shedding fields.
func (s ModelSpec) validateShedding() []error {
	var errs []error
	if s.Mechanism != "" && !slices.Contains(mechanisms, s.Mechanism) {
		errs = append(errs, fmt.Errorf("mechanism %q: want one of %v", s.Mechanism, mechanisms))
	}
	for _, f := range []struct {
		name string
		v    float64
	}{{"queue timeout", s.QueueTimeout}, {"rate limit", s.RateLimit}, {"burst", s.Burst}} {
		if !(f.v >= 0) || math.IsInf(f.v, 0) || f.v > 1e9 {
			errs = append(errs, fmt.Errorf("%s %g: must be a finite number ≥ 0 (0 for unknown)", f.name, f.v))
		}
	}
	if s.Burst > 0 && s.Burst < 1 {
		errs = append(errs, fmt.Errorf("burst %g: a bucket holds at least 1 token", s.Burst))
	}
	if m := s.givenMechanism(); m != "" && s.Mechanism != "" && m != s.Mechanism {
		errs = append(errs, fmt.Errorf("mechanism %s contradicts the queue given (%s)", s.Mechanism, m))
	}
	return errs
}

// givenMechanism is the mechanism the spec states or implies ("" none).
func (s ModelSpec) givenMechanism() string {
	switch {
	case s.QueueKnown && s.Queue == 0 && s.Mechanism == mechConcurrency:
		return mechConcurrency
	case s.QueueKnown && s.Queue == 0 && s.Mechanism == "":
		return mechConcurrency
	case s.QueueKnown && s.Mechanism == mechAdaptive:
		return mechAdaptive
	case s.QueueKnown:
		return mechBoundedQueue
	case s.Unbounded:
		return mechUnbounded
	}
	return s.Mechanism
}

// specCandidates are the candidates the spec fixes, replacing the
// estimated ones of the same mechanism in cands.
func (an *analyzer) specCandidates(cands []candidate, c int) []candidate {
	s := an.spec
	if s.Workers > 0 {
		c = s.Workers
	}
	var fixed []candidate // one mechanism's
	switch {
	case s.QueueKnown:
		mech := mechBoundedQueue
		if s.Queue == 0 {
			mech = mechConcurrency
		}
		fixed = []candidate{{mech: mech, c: c, k: c + s.Queue}}
	case s.QueueTimeout > 0:
		fixed = []candidate{{mech: mechQueueTimeout, c: c, patience: s.QueueTimeout}}
	case s.RateLimit > 0:
		// The rate given; the bucket given too, or fitted over the grid
		// (bestBurst keeps the best).
		for _, b := range an.bursts() {
			fixed = append(fixed, candidate{mech: mechRateLimit, rate: s.RateLimit, burst: b})
		}
	}
	if s.Workers > 0 {
		for i := range cands {
			switch cands[i].mech {
			case mechBoundedQueue, mechAdaptive:
				cands[i].c, cands[i].k = s.Workers, max(cands[i].k, s.Workers)
			case mechQueueTimeout:
				cands[i].c = s.Workers
			}
		}
	}
	if fixed == nil {
		return cands
	}
	out := fixed
	for _, cd := range cands {
		if cd.mech != fixed[0].mech {
			out = append(out, cd)
		}
	}
	return out
}

// result is the recognition for the analysis document.
func (rc *recognition) result() *result.Shedding {
	b := rc.best
	out := &result.Shedding{Mechanism: b.mech, Confidence: rc.confidence, Evidence: rc.evidence, Candidates: rc.cands, Source: "recognised"}
	if rc.given {
		out.Source = "given"
	}
	switch b.mech {
	case mechBoundedQueue, mechAdaptive:
		q := b.k - b.c
		out.Workers, out.WorkersCI, out.Queue, out.QueueCI = b.c, rc.cHW, &q, rc.kHW+rc.cHW
		out.Limit, out.LimitCI = b.k, rc.kHW
	case mechConcurrency:
		q := 0
		out.Workers, out.Queue, out.Limit, out.LimitCI = b.c, &q, b.k, rc.kHW
	case mechQueueTimeout:
		out.Workers, out.WorkersCI = b.c, rc.cHW
		out.QueueTimeoutS, out.QueueTimeoutCIS = b.patience, rc.patienceHW
	case mechRateLimit:
		out.RateRPS, out.RateCIRPS = b.rate, rc.rateHW
		if b.delay > 0 {
			q := b.delay
			out.Queue = &q // the requests it delays (ratedelay.go)
		} else if rc.burstSeen {
			out.Burst = b.burst
		}
	}
	if rc.given {
		out.WorkersCI, out.QueueCI, out.LimitCI, out.QueueTimeoutCIS, out.RateCIRPS = 0, 0, 0, 0, 0
	}
	if out.Evidence == nil {
		out.Evidence = []string{}
	}
	return out
}

// correctService applies the capacity rule of issue #12: the target
// cannot have sustained more 2xx per second over a whole stage than it can
// serve, so when c/E[S] is below that (beyond the count's noise) E[S] is
// biased high — it is corrected to c/X and the analysis says so.
func (an *analyzer) correctService(c int) {
	if c < 1 || !an.svc.known() || an.sh.best.mech == mechRateLimit {
		return
	}
	an.calibrateSaturated(c)
	x, d := an.sustained()
	if d == nil {
		return
	}
	noise := queueing.NormalZ(level) * math.Sqrt(float64(d.n2xx)) / d.tau
	if float64(c)/an.svc.mean >= x-noise {
		return
	}
	old := an.svc.mean
	if an.svc.source == SourceGiven {
		an.warnf("c/E[S] = %d/%s = %.4g rps is below the %.4g 2xx/s the target sustained over stage %d (± %.3g): the given E[S] is contradicted by the run; the predictions keep it, the capacity does not",
			c, numfmt.Seconds(old), float64(c)/old, x, d.st.Index, noise)
		return
	}
	an.svc.mean = float64(c) / x
	an.warnf("c/E[S] = %d/%s = %.4g rps is below the %.4g 2xx/s the target sustained over stage %d (± %.3g): E[S] was biased high, so it is corrected to c/X = %s",
		c, numfmt.Seconds(old), float64(c)/old, x, d.st.Index, noise, numfmt.Seconds(an.svc.mean))
}

// sustained is the highest 2xx throughput over a whole stage, and the
// stage. A stage counts its requests by intended send time, so its 2xx
// per second is a throughput the target sustained only when they were
// answered within the stage's time scale: stages whose slowest 2xx took
// more than a tenth of the stage (a queue growing without bound) are
// left out.
func (an *analyzer) sustained() (float64, *stageData) {
	best, at := 0.0, (*stageData)(nil)
	for _, d := range an.data {
		if d.tau > 0 && d.st.Latency2xx.Max <= d.tau/10 && float64(d.n2xx)/d.tau > best {
			best, at = float64(d.n2xx)/d.tau, d
		}
	}
	return best, at
}

// applyGiven makes the spec's mechanism the answer, keeping the
// probability the evidence gives it as the confidence; a worker count
// given has no interval.
func (an *analyzer) applyGiven(rc *recognition, cands []candidate) {
	if an.spec.Workers > 0 {
		rc.cHW = 0 // the count given is the candidates' (specCandidates)
	}
	m := an.spec.givenMechanism()
	if m == "" {
		return
	}
	rc.given = true
	rc.confidence = 0
	for _, c := range rc.cands {
		if c.Mechanism == m {
			rc.confidence = c.Probability
		}
	}
	rc.best = candidate{mech: m, c: an.spec.Workers}
	for _, cd := range cands {
		if cd.mech == m {
			rc.best = cd
		}
	}
	rc.evidence = append([]string{fmt.Sprintf("the mechanism %s was given; the evidence below gives it probability %.3g", m, rc.confidence)}, rc.evidence...)
}

// saturatedUtil is the worker utilisation above which a stage counts as
// saturated: its 2xx throughput is then c/E[S] up to that factor.
const saturatedUtil = 0.95

// calibrateSaturated checks E[S] against the stage that shed the most when
// the recognised mechanism keeps its workers saturated there (a queue
// timeout, a bounded queue or a concurrency limit in overload): the 2xx
// throughput then IS c·u/E[S]. A Server-Timing E[S] measures the service,
// not how long the worker (a proxy's connection slot, say) is held; when
// the two throughputs differ beyond the count's noise and 1%, E[S] becomes
// the one the throughput says (two fixed-point steps, holdFor), and the
// analysis says so.
func (an *analyzer) calibrateSaturated(c int) {
	mech := an.sh.best.mech
	if an.svc.source == SourceGiven || (mech != mechQueueTimeout && mech != mechBoundedQueue && mech != mechConcurrency) {
		return
	}
	xObs, noise, d := an.saturatedThroughput() // hold.go
	if d == nil {
		return
	}
	cd := an.sh.best
	cd.c = c
	// The stage's own Server-Timing E[S] when it has one: a service time
	// that depends on the load is no hidden time.
	old := an.svc.mean
	if d.srv != nil {
		old = d.srv.svcMn
	}
	minUtil := saturatedUtil
	if mech == mechConcurrency {
		minUtil = heldUtil // a loss system's slots idle between a release and the next arrival (hold.go)
	}
	s, ok := an.holdFor(cd, d, xObs, noise, old, minUtil)
	if !ok {
		return
	}
	if s == old {
		return
	}
	an.svc.mean = s
	if s < old {
		// Shorter than the service the target reports: c workers cannot
		// have served this, so there are more (busy = X·E[S] > c).
		an.warnf("at stage %d the %d workers were saturated, yet its %.4g 2xx/s at E[S] = %s is %.2f busy workers: more than %d, so the target has more (a proxy's limit, each slot held for E[S] and the proxy's round trip to the target); the model keeps c = %d with E[S] taken as %s, which has the capacity c/E[S] the run measured",
			d.st.Index, c, xObs, numfmt.Seconds(old), xObs*old, c, c, numfmt.Seconds(s))
		return
	}
	an.warnf("at stage %d the %d workers were saturated, so its %.4g 2xx/s is what they can do: with E[S] = %s the model gives a different throughput, so E[S] is taken as %s (a worker is held %s longer than the service the target reports: a proxy's hand-off, a connection's round trip)",
		d.st.Index, c, xObs, numfmt.Seconds(old), numfmt.Seconds(s), numfmt.Seconds(s-old))
}

// saturatedCapacity is the capacity a saturated stage measured: when the
// stage that shed the most kept the workers of a queue mechanism busy
// (the model's utilisation there λ(1 − shed)·E[S]/c ≥ saturatedUtil), its
// 2xx throughput X is that utilisation of the capacity, so the capacity
// is X/u — the plateau, with the model's small correction, rather than
// c/E[S] from a service time that may not be all a worker is held for.
func (an *analyzer) saturatedCapacity(a *result.Analysis) (float64, bool) {
	m := an.m
	if (m.mech != mechQueueTimeout && m.mech != mechBoundedQueue) || m.c < 1 || !an.svc.known() {
		return 0, false
	}
	_, _, d := an.saturatedBusy()
	if d == nil || d.tau <= 0 || d.n2xx < minP99Batch {
		return 0, false
	}
	for _, sa := range a.Stages {
		if sa.Index != d.st.Index || sa.PredictedServer == nil {
			continue
		}
		// A simulated prediction can put u a little above 1 (its own noise).
		u := math.Min(1, d.lambda*(1-sa.PredictedServer.BlockRatio)*an.svc.mean/float64(m.c))
		if !(u >= saturatedUtil) {
			return 0, false
		}
		return float64(d.n2xx) / d.tau / u, true
	}
	return 0, false
}
