package analysis

import (
	"math"

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
// Without Server-Timing, the 503s are the next best thing: a rejected
// request does no work, so its latency is a round trip of overhead (on
// another code path in the target, so it is only an estimate and every
// check allows its full size). With neither, O is unknown and taken as 0.
type overheadInfo struct {
	mean     float64         // pooled over stages, seconds
	source   string          // one of the overhead* constants
	perStage map[int]float64 // stage position → ō (Server-Timing only)
}

// measureOverhead computes per-stage and pooled overheads.
func measureOverhead(data []*stageData) *overheadInfo {
	o := &overheadInfo{source: overheadUnknown, perStage: map[int]float64{}}
	var sum float64
	var n int64
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
	}
	if n > 0 {
		o.mean, o.source = sum/float64(n), overheadServerTiming
		return o
	}
	// 503 round trip: (all latencies − 2xx latencies) per bucket is the
	// latency of the non-2xx responses; use it when they are all 503s.
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

// forStage is ō for a stage and the allowance its p99 (and, unless the
// overhead was measured per stage, its mean) check adds.
func (o *overheadInfo) forStage(d *stageData) (mean, p99Allow, meanAllow float64) {
	if v, ok := o.perStage[d.pos]; ok {
		return v, math.Abs(v), 0
	}
	if o.source == overheadUnknown {
		return 0, 0, 0
	}
	return o.mean, math.Abs(o.mean), math.Abs(o.mean)
}

// result returns the overhead for the analysis document.
func (o *overheadInfo) result() *result.Overhead {
	return &result.Overhead{MeanS: o.mean, Source: o.source}
}
