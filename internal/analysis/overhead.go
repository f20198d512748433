package analysis

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Overhead sources (result.Overhead.Source).
const (
	overheadServerTiming = "server-timing"
	overhead503          = "503 round trip"
	overheadUnknown      = "unknown"
)

// overheadInfo is the client-side overhead: what the client measures on
// top of the server's own response time.
//
// The model predicts the SERVER's response time of admitted requests,
// T = Wq + S. The client's 2xx latency, measured from the intended send
// time, is T + O, where O is the send lag plus loopback, HTTP and
// scheduling time. With Server-Timing, each stage's O is known exactly in
// the mean: ō = mean(latency_2xx) − (mean(queue) + mean(svc)), over the
// same 2xx responses (means add whatever the correlations). Predictions are
// then moved by ō, so they are on the client's footing: E[T + O] = E[T] + ō
// exactly, and p99(T + O) ≈ p99(T) + ō when O's spread is small against
// T's. The p99 check allows a further ō for that spread (an overhead whose
// own tail is a few times its mean), the mean check none.
//
// Without Server-Timing, immediate 503s are the next best thing: a
// rejected request does no work, so its latency is a round trip of
// overhead (on another code path in the target, so it is only an estimate:
// it moves predictions, never widens a band). With neither, O is unknown
// and taken as 0.
type overheadInfo struct {
	mean     float64         // pooled over stages, seconds
	source   string          // one of the overhead* constants
	perStage map[int]float64 // stage position → ō (Server-Timing only)
	upstream string          // set when a queue in front of the server was found (hiddenQueue)
	// low is the lowest-load stage's overhead (Server-Timing), the
	// reference of an immediate answer; lowKnown says there is one.
	low      float64
	lowKnown bool
}

// measureOverhead computes per-stage and pooled overheads. Only answers
// known to be immediate estimate it (issue #12): the Server-Timing
// difference, which a queue in front of the server (a proxy's) would
// inflate, is taken per stage only while it stays near its lowest-load
// level; the 503s' round trip only when obs found them immediate (a 503
// that waited out a queue timeout is no round trip).
func measureOverhead(data []*stageData, obs *shedObs) *overheadInfo {
	o := &overheadInfo{source: overheadUnknown, perStage: map[int]float64{}}
	var sum float64
	var n int64
	var low *stageData
	for _, d := range data {
		if d.srv == nil || d.st.Latency2xx.Count == 0 {
			continue
		}
		v := d.st.Latency2xx.Mean - (d.srv.queueMean + d.srv.svcMn)
		if !isFinite(v) {
			continue
		}
		o.perStage[d.pos] = v
		sum += v * float64(d.srv.n)
		n += d.srv.n
		if low == nil || d.lambda < low.lambda {
			low = d
		}
	}
	if n > 0 {
		o.mean, o.source = sum/float64(n), overheadServerTiming
		o.hiddenQueue(data, low)
		// Both references err upward: the mean by a stall's tail, the
		// median by the waits at the lowest load; the lesser is kept.
		o.low, o.lowKnown = math.Max(0, math.Min(o.perStage[low.pos], low.robustOverhead())), true
		return o
	}
	if obs == nil || !obs.latOK || obs.lateShare() >= 0.5 {
		return o
	}
	// 503 round trip: (all latencies − 2xx latencies) per bucket is the
	// latency of the non-2xx responses; use it when they are all shed.
	var rtSum float64
	var rtN int64
	for _, d := range data {
		st := d.st
		if d.n503 < 10 || d.n503 != d.responses-d.n2xx {
			continue
		}
		m := (st.Latency.Mean*float64(st.Latency.Count) - st.Latency2xx.Mean*float64(st.Latency2xx.Count)) / float64(d.n503)
		if isFinite(m) && m > 0 {
			rtSum += m * float64(d.n503)
			rtN += d.n503
		}
	}
	if rtN > 0 {
		o.mean, o.source = rtSum/float64(rtN), overhead503
	}
	return o
}

// hiddenQueue checks the per-stage Server-Timing overheads against the
// lowest-load stage's typical one (from medians, robustOverhead): one that
// grew by more than max(1 ms, 3× that level)
// holds waiting the server did not see (a queue in front of it, such as a
// proxy's), which the model must predict, not add. Then every stage gets
// the lowest-load overhead.
func (o *overheadInfo) hiddenQueue(data []*stageData, low *stageData) {
	if low == nil {
		return
	}
	base := low.robustOverhead()
	worst, at := 0.0, 0
	for _, d := range data {
		if v, ok := o.perStage[d.pos]; ok && v-base > worst {
			worst, at = v-base, d.st.Index
		}
	}
	if worst <= math.Max(1e-3, 3*base) {
		return
	}
	o.upstream = fmt.Sprintf("the client waited up to %s more than the target's Server-Timing accounts for (stage %d against the lowest-load stage %d's typical overhead): a queue in front of the target's handler (a proxy's, the server's own before the handler, such as Tomcat's executor queue, or its listen backlog), so the overhead is the lowest-load stage's median %s for every stage and that wait is left to the model",
		numfmt.Seconds(worst), at, low.st.Index, numfmt.Seconds(base))
	for k := range o.perStage {
		o.perStage[k] = base
	}
	o.mean = base
}

// forStage is ō for a stage and the allowance its p99 (and, unless the
// overhead was measured per stage, its mean) check adds.
func (o *overheadInfo) forStage(d *stageData) (mean, p99Allow, meanAllow float64) {
	if v, ok := o.perStage[d.pos]; ok {
		return v, math.Abs(v), 0
	}
	// The 503 round trip is an estimate from other answers: it moves the
	// prediction but never widens the band (issue #12: no guess covers a miss).
	return o.mean, 0, 0
}

// result returns the overhead for the analysis document.
func (o *overheadInfo) result() *result.Overhead {
	return &result.Overhead{MeanS: o.mean, Source: o.source}
}

// lowOr0 is the lowest-load stage's overhead, seconds: 0 when unknown.
func (o *overheadInfo) lowOr0() float64 {
	if o == nil || !o.lowKnown {
		return 0
	}
	return o.low
}
