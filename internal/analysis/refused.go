package analysis

import (
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A server can refuse the excess at the connection instead of answering
// 503: Node's server.maxConnections closes the connections past it as
// they are accepted, and a full listen backlog resets new ones where the
// kernel is told to (tcp_abort_on_overflow). The client sees resets or
// refused connections, errors outside the 503 ratios that every
// mechanism here is fitted to, so the mechanism is unknown with the
// reason, and a limit of K in flight (Erlang B, which holds for any
// service distribution) is fitted to the refused shares for the reader.

// noteRefused makes an "unbounded" or "none" verdict unknown when, from
// the knee on, more requests were refused at the connection (resets and
// refused connections beyond the lowest-load stage's share) than timed
// out.
func (an *analyzer) noteRefused(rc *recognition, knee *result.Knee) {
	refusedClasses := []string{result.ErrReset, result.ErrConnect}
	ok, line := an.overloadErrors(knee, "were refused at the connection", refusedClasses...)
	if !ok || rc.given {
		return
	}
	var refused, timedOut int64
	for _, d := range an.data {
		refused += count(d.st.Errors, refusedClasses)
		timedOut += d.st.Errors[result.ErrTimeout]
	}
	if refused <= timedOut {
		return
	}
	ev := []string{result.UnknownRefused + " " + line + ", reset or refused before any answer, where a server that sheds answers 503: a connection limit (Node's server.maxConnections) or a listen backlog that resets when full; they are errors here, outside the 503 ratios every mechanism is fitted to"}
	if fit := an.erlangLimit(refusedClasses); fit != "" {
		ev = append(ev, fit)
	}
	rc.evidence = append(ev, rc.evidence...)
	rc.best = candidate{mech: mechUnknown}
	rc.cands = []result.Candidate{{Mechanism: mechUnknown, Probability: 1}}
	rc.confidence = 1
}

// erlangLimit fits a limit of K in flight, the rest refused, to the
// stages' refused shares (refused / (responses + refused)) by least
// squares, each stage weighted by its binomial variance at the
// prediction, and says its predictions against what was seen; "" without
// a service time or with fewer than two stages that refused.
func (an *analyzer) erlangLimit(classes []string) string {
	if !an.svc.known() {
		return ""
	}
	type obs struct {
		d     *stageData
		n     float64 // responses + refused
		share float64
	}
	var xs []obs
	var maxInFlight int64
	for _, d := range an.data {
		ref := float64(count(d.st.Errors, classes))
		n := float64(d.responses) + ref
		if n < shedStageMin || !(d.lambda > 0) {
			continue
		}
		xs = append(xs, obs{d, n, ref / n})
		for _, w := range d.windows {
			maxInFlight = max(maxInFlight, w.inFlightMax)
		}
	}
	refusing := 0
	for _, o := range xs {
		if o.share >= minShedStage {
			refusing++
		}
	}
	if refusing < 2 {
		return ""
	}
	// K runs up to the in-flight maximum seen (a limit holds no more), each
	// stage's B(K, a) carried up by Erlang B's own recursion (queueing.
	// ErlangB), so the search is O(K·stages) however high the maximum.
	bestK, bestChi := 0, math.Inf(1)
	b := make([]float64, len(xs))
	for i := range b {
		b[i] = 1 // B(0, a)
	}
	for k := 1; k <= int(maxInFlight)+1; k++ {
		chi := 0.0
		for i, o := range xs {
			a := o.d.lambda * an.svc.mean
			b[i] = a * b[i] / (float64(k) + a*b[i])
			p := b[i]
			v := math.Max(p*(1-p), 1/o.n) / o.n
			chi += sq(o.share-p) / v
		}
		if chi < bestChi {
			bestK, bestChi = k, chi
		}
	}
	if bestK == 0 {
		return ""
	}
	var pred, seen, at []string
	for _, o := range xs {
		if o.share < minShedStage {
			continue
		}
		pred = append(pred, numfmt.Share(queueing.ErlangB(bestK, o.d.lambda*an.svc.mean)))
		seen = append(seen, numfmt.Share(o.share))
		at = append(at, fmt.Sprint(o.d.st.Index))
	}
	return fmt.Sprintf("at most %d in flight, the rest refused (Erlang B at E[S] = %s, any service distribution; queueing.md §3), predicts %s refused at stages %s against %s seen (χ² %.3g over %d stages)",
		bestK, numfmt.Seconds(an.svc.mean), strings.Join(pred, ", "), strings.Join(at, ", "), strings.Join(seen, ", "), bestChi, len(xs))
}
