package analysis

import (
	"math"

	"github.com/bploadgen/bploadgen/internal/result"
)

// littleTolerance is the bookkeeping tolerance of Little's law on the
// client's own records (docs/queueing.md §1 recommends 1 ± 1%; issue #4 flags
// beyond 2%).
const littleTolerance = 0.02

// little checks L = X·W on stage i (docs/queueing.md §1, finite-window form):
//
//	L   = in_flight_mean, the exact time average over the stage's interval
//	X·W = busy_s / τ, Σ (completion − actual send) of the stage's requests / τ
//
// Both count every sent request from its actual send to its completion,
// whatever the outcome (2xx, 503, error), so they describe the same
// population. They differ only by edge terms: requests of earlier stages
// still in flight at the start count in L but not in X·W; the stage's own
// requests still in flight at its end count in X·W beyond the interval
// (and in L of the next stage). So
//
//	|L − X·W| ≤ (N(t0)·maxSojourn(before) + N(t1)·maxSojourn(stage)) / τ
//
// with N(t) the in-flight count at the stage's ends, bounded here by the
// in-flight maxima of the timeline windows touching each end (or of the
// stages when there is no timeline), and the longest sojourn by the
// service-time maximum (or the timeout when a request ended in an error).
// The stage is flagged only when |ratio − 1| exceeds both the 2% tolerance
// and that bound.
func little(r *result.Result, data []*stageData, i int) result.Little {
	d := data[i]
	st := d.st
	l := result.Little{InFlightMean: finiteOr(st.InFlightMean, 0)}
	if d.tau <= 0 {
		return l
	}
	l.RateXResponseMean = finiteOr(st.BusyS, 0) / d.tau
	if !(l.RateXResponseMean > 0) {
		return l
	}
	l.Ratio = l.InFlightMean / l.RateXResponseMean
	n0, n1 := inFlightAt(r, data, i, st.StartS), inFlightAt(r, data, i, st.EndS)
	before := 0.0
	for j := 0; j < i; j++ {
		before = math.Max(before, maxSojourn(r, data[j].st))
	}
	edge := (n0*before + n1*maxSojourn(r, st)) / d.tau
	l.EdgeBound = edge / l.RateXResponseMean
	l.Flagged = math.Abs(l.Ratio-1) > math.Max(littleTolerance, l.EdgeBound)
	return l
}

// inFlightAt bounds the number of requests in flight at time t (seconds
// from the run's start): the largest in-flight maximum of the windows
// that contain t or end at it, falling back to the stages around t.
func inFlightAt(r *result.Result, data []*stageData, i int, t float64) float64 {
	const eps = 1e-6
	var n int64
	found := false
	for j := range r.Timeline {
		w := &r.Timeline[j]
		if w.TS <= t+eps && t <= w.TS+w.DurationS+eps {
			n = max(n, w.InFlightMax)
			found = true
		}
	}
	if !found {
		n = data[i].st.InFlightMax
		if i > 0 {
			n = max(n, data[i-1].st.InFlightMax)
		}
		if i+1 < len(data) {
			n = max(n, data[i+1].st.InFlightMax)
		}
	}
	return float64(n)
}

// maxSojourn is the longest time a request of the stage can have been in
// flight: its longest response, or the timeout if any request failed
// (timeouts and resets are in busy_s but not in the service histogram).
func maxSojourn(r *result.Result, st *result.Stage) float64 {
	m := finiteOr(st.ServiceTime.Max, 0)
	if st.ErrorCount() > 0 || st.Completed > st.Responses() {
		m = math.Max(m, finiteOr(r.TimeoutS, 0))
	}
	return m
}
