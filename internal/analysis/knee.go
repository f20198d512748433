package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Knee criteria (docs/queueing.md §7): the target stopped keeping up at the
// first stage where
//
//	(throughput) 2xx fell short of the requests SENT by more than
//	  kneeShortfall, beyond the shortfall's interval: s − hw > ε with
//	  s = 1 − 2xx/sent. Comparing with what was sent, not with the plan,
//	  removes the Poisson noise of the arrivals: below capacity every sent
//	  request is answered 2xx, so any shortfall is the target's;
//	(p99) the 2xx p99 left its low-load level beyond both intervals:
//	  p99 − hw > (1 + kneeP99Rise)·(p99_low + hw_low), where "low" is the
//	  lowest-rate stage with a p99 interval.
//
// Kneedle (Satopää et al. 2011) also runs on (achieved, throughput) and
// its pick is reported beside, as a cross-check.
const (
	kneeShortfall  = 0.01
	kneeP99Rise    = 0.5
	minKneeBatches = 4
)

// kneeObs is what the knee criteria read from one stage, with 1-second
// batches (the knee is decided before any model is chosen).
type kneeObs struct {
	shortfall, shortHW float64
	p99, p99HW         float64
	p99OK              bool
}

func observeForKnee(d *stageData) kneeObs {
	var k kneeObs
	if d.st.Sent == 0 {
		return k
	}
	k.shortfall = 1 - float64(d.n2xx)/float64(d.st.Sent)
	k.shortHW = countFloor(float64(d.st.Sent-d.n2xx), d.st.Sent)
	// Batch means only from 4 batches up: with 2 or 3 the t quantile (12.7,
	// 4.3) makes the interval say nothing, and the count's own noise is
	// the better bound.
	if bs := d.batches(0, 0); len(bs) >= minKneeBatches {
		if hw, ok := shortfallHW(bs); ok {
			k.shortHW = math.Max(k.shortHW, hw)
		}
	}
	if d.n2xx >= minP99Batch {
		k.p99, k.p99OK = d.st.Latency2xx.P99, true
		if bs := d.batches(0, minP99Batch); len(bs) >= minKneeBatches {
			if hw, ok := p99HW(bs); ok {
				k.p99HW = hw
			}
		}
		if k.p99HW == 0 {
			k.p99HW = orderP99HW(d)
		}
	}
	return k
}

// findKnee applies the criteria in stage order.
func findKnee(data []*stageData) *result.Knee {
	obs := make([]kneeObs, len(data))
	low := -1
	for i, d := range data {
		obs[i] = observeForKnee(d)
		if obs[i].p99OK && (low < 0 || d.lambda < data[low].lambda) {
			low = i
		}
	}
	kneedle := kneedleStage(data)
	base, _, _ := baseLoss(data, obs) // baseloss.go
	for i, d := range data {
		if d.st.Sent == 0 {
			continue
		}
		o := obs[i]
		var reasons, crit []string
		if o.shortfall-o.shortHW > base+kneeShortfall {
			crit = append(crit, "throughput")
			shed := d.shed.label(d.st.Status)
			beyond := fmt.Sprintf("the %s allowance", numfmt.Share(kneeShortfall))
			if base > 0 {
				beyond = fmt.Sprintf("the %s every load lost and the %s allowance", numfmt.Share(base), numfmt.Share(kneeShortfall))
			}
			reasons = append(reasons, fmt.Sprintf("2xx fell short of the requests sent by %s ± %s (%s: %d, other: %d), beyond %s",
				numfmt.Share(o.shortfall), numfmt.Share(o.shortHW), shed, d.n503, d.st.Sent-d.n2xx-d.n503, beyond))
		}
		if low >= 0 && i != low && o.p99OK && d.lambda > data[low].lambda {
			b := obs[low]
			if o.p99-o.p99HW > (1+kneeP99Rise)*(b.p99+b.p99HW) {
				crit = append(crit, "p99")
				reasons = append(reasons, fmt.Sprintf("p99 rose to %s ± %s, beyond %.1f× its low-load %s ± %s (stage %d)",
					numfmt.Seconds(o.p99), numfmt.Seconds(o.p99HW), 1+kneeP99Rise,
					numfmt.Seconds(b.p99), numfmt.Seconds(b.p99HW), data[low].st.Index))
			}
		}
		if len(crit) == 0 {
			continue
		}
		k := &result.Knee{Stage: d.st.Index, OfferedRPS: d.st.OfferedRPS, Criterion: crit[0],
			Reason: strings.Join(reasons, "; "), KneedleStage: kneedle}
		if kneedle > 0 {
			k.Reason += fmt.Sprintf(" (Kneedle on throughput against achieved rate picks stage %d)", kneedle)
		}
		return k
	}
	return nil
}

// kneedleStage is the stage Kneedle picks on (achieved rate, 2xx
// throughput), or 0.
func kneedleStage(data []*stageData) int {
	type pt struct {
		x, y  float64
		index int
	}
	var pts []pt
	for _, d := range data {
		if d.st.Sent > 0 && d.tau > 0 {
			pts = append(pts, pt{d.lambda, float64(d.n2xx) / d.tau, d.st.Index})
		}
	}
	slices.SortStableFunc(pts, func(a, b pt) int {
		switch {
		case a.x < b.x:
			return -1
		case a.x > b.x:
			return 1
		}
		return 0
	})
	var xs, ys []float64
	var idx []int
	for _, p := range pts {
		if len(xs) > 0 && !(p.x > xs[len(xs)-1]) {
			continue
		}
		xs, ys, idx = append(xs, p.x), append(ys, p.y), append(idx, p.index)
	}
	i, err := queueing.Knee(xs, ys, queueing.Concave)
	if err != nil {
		return 0
	}
	return idx[i]
}

// orderP99HW is the half-width of the stage's 2xx p99 from order
// statistics (result.QuantileCI at 95%), the larger of its two sides, for
// a stage too short for batch means: without it the knee read the p99 of
// a 500-response stage as exact ("41.58ms ± 0s") and any rise past 1.5×
// it as a knee. Order statistics assume independent latencies, so this
// is the least the interval can be; 0 when the histogram does not decode.
func orderP99HW(d *stageData) float64 {
	h, err := result.DecodeHist(d.st.HDR.Latency2xx)
	if err != nil || h.TotalCount() == 0 {
		return 0
	}
	lo, hi := result.QuantileCI(h, 0.99, queueing.NormalZ(level))
	p := d.st.Latency2xx.P99
	if hw := math.Max(p-lo, hi-p); isFinite(hw) && hw > 0 {
		return hw
	}
	return 0
}
