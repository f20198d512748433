package analysis

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A limit in a proxy holds each slot for longer than the service the
// target reports in Server-Timing: for the service and the proxy's own
// round trip to the target (nginx's limit_conn releases a slot when the
// proxied request is finalised). At the stage that shed the most, the
// slots are saturated and the 2xx throughput is K·u/hold, so the run
// measures the hold; a limit fitted at the reported service instead takes
// fewer slots and a waiting place for the lost time (nginx limit_conn 8
// through proxy_pass came out as c = 7 with 1 waiting slot). heldLimits
// gives each concurrency-limit candidate a twin whose slots are held for
// what the throughput says, and the fit decides: its shed ratios are
// predicted at the hold, its 2xx latency at the reported service (the
// client's overhead already holds the proxy's time), so a bounded queue's
// waits still tell it apart.

// saturatedThroughput is the 2xx throughput of the stage that shed the
// most, with its noise (the count's 95% half-width and 1%); d is nil
// when that stage is too small to calibrate on.
func (an *analyzer) saturatedThroughput() (x, noise float64, d *stageData) {
	_, _, d = an.saturatedBusy()
	if d == nil || d.n2xx < minP99Batch || d.tau <= 0 {
		return 0, 0, nil
	}
	x = float64(d.n2xx) / d.tau
	return x, queueing.NormalZ(level)*math.Sqrt(float64(d.n2xx))/d.tau + 0.01*x, d
}

// holdFor is the mean hold, from s, at which candidate cd (its hold
// ignored) predicts the throughput x at stage d: two fixed-point steps,
// stopping where the stage is not saturated under the model (u below
// minUtil: the throughput no longer measures the hold) or the
// throughputs agree within noise. ok is false when the model cannot
// predict the stage.
func (an *analyzer) holdFor(cd candidate, d *stageData, x, noise, s, minUtil float64) (hold float64, ok bool) {
	cd.hold = 0
	for range 2 {
		svc := *an.svc
		svc.mean = s
		fp, ok := cd.predict(d, an.r.Arrival, &svc, seedOf(an.r), nil)
		if !ok {
			return 0, false
		}
		xPred := d.lambda * (1 - fp.ratio)
		if xPred*s/float64(max(cd.c, 1)) < minUtil || math.Abs(xPred-x) <= noise {
			break
		}
		s *= xPred / x
	}
	return s, true
}

// heldUtil is the slot utilisation from which a limit's hold is fitted to
// the throughput. A loss system sheds while slots stand idle between a
// release and the next arrival (u = 0.95 at twice the capacity, Poisson
// arrivals), so it takes less than saturatedUtil; at 0.9 X·hold still
// moves with the hold by less than its own half, and the two fixed-point
// steps close the gap to within the count's noise.
const heldUtil = 0.9

// heldLimits appends to cands, for each concurrency-limit candidate, its
// twin held longer than the reported service (see above), when the
// throughput says the slots are held longer by more than the noise.
func (an *analyzer) heldLimits(cands []candidate) []candidate {
	if !an.svc.known() || an.svc.source == SourceGiven {
		return cands
	}
	x, noise, d := an.saturatedThroughput()
	if d == nil {
		return cands
	}
	s := an.svc.mean
	if d.srv != nil {
		s = d.srv.svcMn
	}
	for _, cd := range cands {
		if cd.mech != mechConcurrency || cd.hold > 0 {
			continue
		}
		if h, ok := an.holdFor(cd, d, x, noise, s, heldUtil); ok && h > s*(1+noise/x) {
			cd.hold = h
			cands = append(cands, cd)
		}
	}
	return cands
}

// closeCall is the evidence line (added by recognise unless the verdict
// became unknown or was given) for a runner-up that explains the run
// nearly as well as the best (a likelihood ratio under 4, so a
// probability above a quarter of the best's), or "" when there is none:
// the confidence alone would not say which other mechanism it is, and a
// bounded queue with one waiting slot against a proxy's limit held longer
// than the service is a difference a short run cannot settle. cands are
// sorted by likelihood, best first.
func closeCall(cands []candidate, probs []result.Candidate) string {
	if len(cands) < 2 || len(probs) < 2 || cands[1].mech == mechUnknown || cands[0].mech == mechUnknown ||
		probs[1].Probability < probs[0].Probability/4 {
		return ""
	}
	return fmt.Sprintf("%s explains the run almost as well (probability %.0f%% against %.0f%%): %s, against %s; this run does not tell them apart (--mechanism fixes one; longer stages past the capacity narrow it)",
		cands[1].mech, 100*probs[1].Probability, 100*probs[0].Probability, describeCandidate(cands[1]), describeCandidate(cands[0]))
}

// describeCandidate names a candidate with its fitted parameters.
func describeCandidate(cd candidate) string {
	switch cd.mech {
	case mechConcurrency:
		s := fmt.Sprintf("a concurrency limit of %d", cd.k)
		if cd.hold > 0 {
			s += fmt.Sprintf(" with each slot held for %s, longer than the service the target reports (a proxy's limit)", numfmt.Seconds(cd.hold))
		}
		return s
	case mechBoundedQueue:
		return fmt.Sprintf("%d workers with %d waiting slot%s", cd.c, cd.k-cd.c, numfmt.Plural(int64(cd.k-cd.c)))
	case mechQueueTimeout:
		return fmt.Sprintf("%d workers with a queue timeout of %s", cd.c, numfmt.Seconds(cd.patience))
	case mechRateLimit:
		if cd.delay > 0 {
			return fmt.Sprintf("a rate limit of %.4g/s that delays up to %d requests", cd.rate, cd.delay)
		}
		return fmt.Sprintf("a rate limit of %.4g/s", cd.rate)
	case mechAdaptive:
		return fmt.Sprintf("an adaptive limit near %d in flight", cd.k)
	}
	return cd.mech
}
