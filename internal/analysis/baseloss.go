package analysis

import (
	"fmt"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A target can fail a share of the requests at every load: Go's
// http.TimeoutHandler answers 503 to every request whose handler runs past
// its timeout, whatever the load, and a broken endpoint fails as often at
// 10 rps as at 1,000. That share is no knee: the target keeps up, it just
// does not answer everything with 2xx. baseLoss finds it where the two
// lowest loads fall short of the requests sent by the same share (within
// both intervals) although their rates differ by at least minBaseStep: a
// target past its capacity loses a share that grows with the load (a
// fifth more offered, a fifth more lost at least), so the two lowest
// stages of a run that starts past the knee differ and no base is taken;
// where short stages make the shares' intervals too wide to tell, the
// 2xx throughput, which grows with the load only below capacity, does.
// The throughput criterion then asks for a shortfall beyond the base.

// minBaseStep is the least ratio of the two lowest loads' rates for their
// equal shortfalls to say the loss does not depend on the load.
const minBaseStep = 1.2

// baseLoss is the shortfall every load showed (the lowest load's, at the
// upper end of its interval), 0 when there is none, with the two stages it
// was read from.
func baseLoss(data []*stageData, obs []kneeObs) (base float64, lo, lo2 int) {
	lo, lo2 = -1, -1
	for i, d := range data {
		if d.st.Sent == 0 || d.tau <= 0 {
			continue
		}
		switch {
		case lo < 0 || d.lambda < data[lo].lambda:
			lo, lo2 = i, lo
		case lo2 < 0 || d.lambda < data[lo2].lambda:
			lo2 = i
		}
	}
	if lo < 0 || lo2 < 0 || data[lo2].lambda < minBaseStep*data[lo].lambda {
		return 0, lo, lo2
	}
	a, b := obs[lo], obs[lo2]
	if a.shortfall-a.shortHW <= kneeShortfall || math.Abs(a.shortfall-b.shortfall) > a.shortHW+b.shortHW {
		return 0, lo, lo2
	}
	// A loss at every load serves a fixed share of what is sent, so the
	// 2xx throughput grows with the load; a target past its capacity
	// serves its capacity whatever is sent. Two short stages past capacity
	// can lose shares equal within their wide intervals: their
	// throughputs tell them apart. The higher load must serve at least
	// half of its extra requests.
	x1, x2 := float64(data[lo].n2xx)/data[lo].tau, float64(data[lo2].n2xx)/data[lo2].tau
	if x2-x1 < 0.5*(data[lo2].lambda-data[lo].lambda)*(1-a.shortfall) {
		return 0, lo, lo2
	}
	return a.shortfall + a.shortHW, lo, lo2
}

// stageBaseLoss is baseLoss over data's stages, with each stage's knee
// observations.
func stageBaseLoss(data []*stageData) (base float64, lo, lo2 int, obs []kneeObs) {
	obs = make([]kneeObs, len(data))
	for i, d := range data {
		obs[i] = observeForKnee(d)
	}
	base, lo, lo2 = baseLoss(data, obs)
	return base, lo, lo2, obs
}

// baseLossWarning says what a base loss is, or "" when there is none.
func baseLossWarning(data []*stageData) string {
	base, lo, lo2, obs := stageBaseLoss(data)
	if base == 0 {
		return ""
	}
	a, b := data[lo], data[lo2]
	return fmt.Sprintf("the target answered %s of the requests sent at %s/s otherwise than 2xx (%s) and %s at %s/s: a loss that does not grow with the load is not overload but a limit on each request (a timeout on slow requests, Go's http.TimeoutHandler answers 503 past it) or failing requests; the knee looks for a shortfall beyond it, and Server-Timing's service times, sent with the 2xx, leave out the requests cut off",
		numfmt.Share(obs[lo].shortfall), numfmt.Rate(a.lambda), notOK(a), numfmt.Share(obs[lo2].shortfall), numfmt.Rate(b.lambda))
}

// noteEveryLoad says why no mechanism explains a run whose shed answers
// were the same share at every load and that had no knee: they are not
// load shed (result.UnknownEveryLoad).
func (an *analyzer) noteEveryLoad(rc *recognition, obs *shedObs, knee *result.Knee) {
	if rc.given || rc.best.mech != mechUnknown || knee != nil {
		return
	}
	base, lo, _, ko := stageBaseLoss(an.data)
	if base == 0 {
		return
	}
	hi := lo
	for i, d := range an.data {
		if d.st.Sent > 0 && d.lambda > an.data[hi].lambda {
			hi = i
		}
	}
	took := ""
	if obs.latOK && obs.late > obs.early {
		took = fmt.Sprintf(" (the %s answers took %s at the median, p10 %s)", an.shed.label(an.r.Total.Status), numfmt.Seconds(obs.wall[2]), numfmt.Seconds(obs.wall[0]))
	}
	rc.evidence = append([]string{fmt.Sprintf(result.UnknownEveryLoad+" %s of the requests at %s/s were not answered 2xx, and %s at %s/s: the same share at every load, with no knee, is a limit on each request, not load shed: a timeout on slow requests%s, as Go's http.TimeoutHandler answers 503 past its timeout, or requests that fail",
		numfmt.Share(ko[lo].shortfall), numfmt.Rate(an.data[lo].lambda), numfmt.Share(ko[hi].shortfall), numfmt.Rate(an.data[hi].lambda), took)}, rc.evidence...)
}

// cutOffWarning says, when the lowest load already had late shed answers,
// that Server-Timing's E[S] may leave out the longest services: a server
// whose timeout covers the service as well as the wait (Go's
// http.TimeoutHandler) cuts the longest services off with a 503 and
// sends Server-Timing only with the 2xx. "" otherwise, and when 2xx
// answers of that stage took well past the late ones (a timeout on the
// wait alone, as a semaphore acquired within a deadline: it sheds at any
// load, but serves what it admits to the end; cutOffBounded).
func (an *analyzer) cutOffWarning(obs *shedObs) string {
	if an.svc.source != SourceServerTiming || !obs.latOK || obs.threshold <= 0 {
		return ""
	}
	var low *stageData
	for _, d := range an.data {
		if d.st.Sent > 0 && d.tau > 0 && (low == nil || d.lambda < low.lambda) {
			low = d
		}
	}
	if low == nil || low.n503 < 3 || low.n503 != low.responses-low.n2xx {
		return ""
	}
	h := shedHist(low.st)
	if h == nil || h.TotalCount() == 0 || 2*countAtOrBelow(h, int64(obs.threshold*1e9)) > float64(h.TotalCount()) {
		return ""
	}
	late := result.QuantileNS(h, 50)
	if ok, err := result.DecodeHist(low.st.HDR.Latency2xx); err != nil || !cutOffBounded(ok, late) {
		return ""
	}
	return fmt.Sprintf("the lowest load (%s/s, stage %d) already had %d late %s answers (median %s): a timeout that also cuts requests in service (Go's http.TimeoutHandler) sends Server-Timing with the 2xx only, so E[S] = %s leaves out the longest services and is low (the workers estimated from it too)",
		numfmt.Rate(low.lambda), low.st.Index, low.n503, an.shed.label(low.st.Status), numfmt.Seconds(float64(late)/1e9), numfmt.Seconds(an.svc.mean))
}

// cutOffBounded is whether the 2xx latencies in ok (ns) are bounded as a
// timeout that cuts services off bounds them: by the late shed answers'
// median, late (ns). Half again as long leaves room for what the timeout
// does not cover (the wait before the handler, the client's own delay);
// at most 1% of the 2xx (and at least 5) past it allows for rare stalls
// (a GC pause, the VM). Behind a timeout on the wait alone, the services
// it admitted run on: with a service spread like the wait's bound, a
// good share of the 2xx take longer (a third, for an exponential 10 ms
// service behind a 5 ms wait).
func cutOffBounded(ok *hdr.Histogram, late int64) bool {
	n := float64(ok.TotalCount())
	past := n - countAtOrBelow(ok, late+late/2)
	return past <= math.Max(5, 0.01*n)
}
