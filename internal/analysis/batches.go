package analysis

import (
	"math"

	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// level is the confidence level of every interval.
const level = 0.95

// minP99Batch is the fewest 2xx latencies a batch needs for its own p99 to
// be more than its maximum (n·(1−0.99) ≥ 1 beyond the quantile).
const minP99Batch = 100

// maxBatches caps the batches of a stage (docs/queueing.md §8 recommends 20–30):
// a long stage gets longer batches, not more of them, which also bounds
// the work and memory of a long run.
const maxBatches = 30

// batch is a run of consecutive windows of one stage, reduced to what the
// intervals need.
type batch struct {
	sent, responses, n503, n2xx int64
	mean2xx, p99                float64 // seconds, of the 2xx latencies
	latOK                       bool    // every 2xx latency of the batch is in its histogram
}

// batchKey identifies one grouping of a stage's windows.
type batchKey struct {
	per  int
	minN int64
}

// batches groups the stage's whole windows into contiguous batches of at
// least span seconds each (docs/queueing.md §8: each batch ≥ 10 relaxation
// times), at most maxBatches of them, and, when minN2xx > 0, with at least
// minN2xx 2xx latencies each. The remainder joins the last batch. It
// returns nil when fewer than 2 batches can be formed. Groupings are
// memoised: the knee and the checks mostly ask for the same ones.
func (d *stageData) batches(span float64, minN2xx int64) []batch {
	ws := d.windows
	if len(ws) < 2 || !(span < float64(len(ws))*ws[0].dur) {
		return nil // too short for two batches (or no relaxation: +Inf, NaN)
	}
	per := max(1, int(math.Ceil(float64(len(ws))/maxBatches)))
	if span > ws[0].dur {
		per = max(per, int(math.Ceil(span/ws[0].dur-1e-9)))
	}
	for ; len(ws)/per >= 2; per++ {
		if minN2xx > 0 && minGroupCount(ws, per) < minN2xx {
			continue
		}
		k := batchKey{per, minN2xx}
		if bs, ok := d.memo[k]; ok {
			return bs
		}
		if d.memo == nil {
			d.memo = map[batchKey][]batch{}
		}
		bs, bad := build(ws, per)
		d.badHist = max(d.badHist, bad)
		d.memo[k] = bs
		return bs
	}
	return nil
}

// minGroupCount is the smallest 2xx count of the batches of per windows.
func minGroupCount(ws []windowData, per int) int64 {
	nb := len(ws) / per
	counts := make([]int64, nb)
	for i, w := range ws {
		counts[min(i/per, nb-1)] += w.n2xx
	}
	m := counts[0]
	for _, c := range counts[1:] {
		m = min(m, c)
	}
	return m
}

// build reduces the batches, decoding each window's histogram once into
// one reused histogram; bad counts the histograms that did not decode.
func build(ws []windowData, per int) (bs []batch, bad int) {
	nb := len(ws) / per
	bs = make([]batch, nb)
	h := result.NewHistogram()
	var dec result.Decoder
	for b := range bs {
		lo, hi := b*per, (b+1)*per
		if b == nb-1 {
			hi = len(ws)
		}
		h.Reset()
		bt := &bs[b]
		bt.latOK = true
		for _, w := range ws[lo:hi] {
			bt.sent += w.sent
			bt.responses += w.responses
			bt.n503 += w.n503
			bt.n2xx += w.n2xx
			if enc := w.lat2xx(); enc == "" && w.n2xx > 0 {
				bt.latOK = false
			} else if err := dec.Merge(h, enc); err != nil {
				bt.latOK = false
				bad++
			}
		}
		if bt.latOK && h.TotalCount() > 0 {
			bt.mean2xx = h.Mean() / 1e9
			bt.p99 = float64(result.QuantileNS(h, 99)) / 1e9
		}
		bt.latOK = bt.latOK && h.TotalCount() > 0 && h.TotalCount() == bt.n2xx
	}
	return bs, bad
}

// halfWidth is the batch-means half-width t_{B−1}·sd/√B of per-batch
// values; ok is false when a batch has no value or there are < 2.
func halfWidth(bs []batch, f func(b *batch) (float64, bool)) (float64, bool) {
	vals := make([]float64, 0, len(bs))
	for i := range bs {
		v, ok := f(&bs[i])
		if !ok {
			return 0, false
		}
		vals = append(vals, v)
	}
	e, err := queueing.BatchMeans(vals, level)
	if err != nil {
		return 0, false
	}
	return e.HalfWidth, true
}

// blockHW is the half-width of the 503 ratio (503s / responses).
func blockHW(bs []batch) (float64, bool) {
	return halfWidth(bs, func(b *batch) (float64, bool) {
		if b.responses == 0 {
			return 0, false
		}
		return float64(b.n503) / float64(b.responses), true
	})
}

// shortfallHW is the half-width of 1 − 2xx/sent.
func shortfallHW(bs []batch) (float64, bool) {
	return halfWidth(bs, func(b *batch) (float64, bool) {
		if b.sent == 0 {
			return 0, false
		}
		return 1 - float64(b.n2xx)/float64(b.sent), true
	})
}

// meanHW is the half-width of the mean 2xx latency, seconds.
func meanHW(bs []batch) (float64, bool) {
	return halfWidth(bs, func(b *batch) (float64, bool) { return b.mean2xx, b.latOK })
}

// p99HW is the half-width of the 2xx p99, seconds, from per-batch p99s.
// The pooled p99 of n·B samples has about 1/B the variance of one batch's,
// so the batch-means interval applies to it (as in queueing.Simulate).
func p99HW(bs []batch) (float64, bool) {
	return halfWidth(bs, func(b *batch) (float64, bool) { return b.p99, b.latOK && b.n2xx >= minP99Batch })
}

// countFloor is the smallest honest half-width of a ratio k/n: the Poisson
// noise z·√max(k, 1)/n of its count. Batch means of windows with no 503 at
// all would otherwise give an interval of exactly 0.
func countFloor(k float64, n int64) float64 {
	if n <= 0 {
		return math.Inf(1)
	}
	return queueing.NormalZ(level) * math.Sqrt(math.Max(k, 1)) / float64(n)
}
