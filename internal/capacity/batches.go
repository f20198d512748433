package capacity

import (
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Batch means (queueing.md §8): a probe's measured part is recorded as
// consecutive stages (BatchesPerSegment per segment), grouped here into at
// most maxBatches contiguous batches of about equal request counts (the
// sheet's B = 20–30). The
// interval of a statistic is t_{B−1}·sd/√B over the batches' values. When
// the batch values are correlated (lag-1 autocorrelation above 2/√B, about
// the 2.5% point of its null distribution), the batches are too short for
// the queue's relaxation time and are merged in pairs, as long as
// minBatches remain.
const (
	minBatches = 5
	maxBatches = 30
)

// batcher groups a probe's sub-stages into batches and reads statistics
// of the batches without re-encoding histograms.
type batcher struct {
	subs   []result.Stage
	groups map[int][][2]int                  // batch count → [from, to) ranges of subs
	hists  map[string][]*hdr.PackedHistogram // family → each sub's decoded histogram (sparse: a few KB)
	cdfs   map[string][]*cdf                 // family → each sub's cumulative counts
	dense  *hdr.Histogram                    // one dense histogram, reused to build the cdfs
	dec    result.Decoder
}

func newBatcher(subs []result.Stage) *batcher {
	return &batcher{subs: subs, groups: map[int][][2]int{}, hists: map[string][]*hdr.PackedHistogram{}, cdfs: map[string][]*cdf{}}
}

// group returns about b contiguous ranges of sub-stages with about equal
// scheduled counts (fewer when one sub-stage spans several shares).
func (bt *batcher) group(b int) [][2]int {
	if g, ok := bt.groups[b]; ok {
		return g
	}
	var total int64
	for i := range bt.subs {
		total += bt.subs[i].Scheduled
	}
	var out [][2]int
	start, cum := 0, int64(0)
	for i := range bt.subs {
		cum += bt.subs[i].Scheduled
		// The batch goes on while its share is not yet filled.
		if i < len(bt.subs)-1 && total > 0 && float64(cum)*float64(b)/float64(total) < float64(len(out)+1)-1e-9 {
			continue
		}
		out = append(out, [2]int{start, i + 1})
		start = i + 1
	}
	bt.groups[b] = out
	return out
}

// counts is a batch's counters as a stage without histograms: enough for
// assert.MetricValue of ratios.
func (bt *batcher) counts(r [2]int) *result.Stage {
	st := &result.Stage{Status: map[string]int64{}, Errors: map[string]int64{}}
	for _, s := range bt.subs[r[0]:r[1]] {
		st.Scheduled += s.Scheduled
		st.Sent += s.Sent
		st.NotSent += s.NotSent
		st.Completed += s.Completed
		for k, v := range s.Status {
			st.Status[k] += v
		}
		for k, v := range s.Errors {
			st.Errors[k] += v
		}
	}
	return st
}

// hist is sub-stage i's decoded histogram of a family, in the sparse
// form: a probe has tens of sub-stages, and a dense histogram each (200 KB)
// made a search's live heap 18 MB.
func (bt *batcher) hist(family string, i int) (*hdr.PackedHistogram, error) {
	hs, ok := bt.hists[family]
	if !ok {
		hs = make([]*hdr.PackedHistogram, len(bt.subs))
		bt.hists[family] = hs
	}
	if hs[i] == nil {
		h, err := bt.dec.Packed(histOf(&bt.subs[i], family))
		if err != nil {
			return nil, err
		}
		hs[i] = h
	}
	return hs[i], nil
}

// mean is a batch's mean of a family, seconds (false without values).
func (bt *batcher) mean(family string, r [2]int) (float64, bool) {
	var sum float64
	var n int64
	for i := r[0]; i < r[1]; i++ {
		h, err := bt.hist(family, i)
		if err != nil {
			return 0, false
		}
		sum += h.Mean() / 1e9 * float64(h.TotalCount())
		n += h.TotalCount()
	}
	return sum / float64(n), n > 0
}

// fracAtMost is the fraction of a batch's values of a family at most v.
func (bt *batcher) fracAtMost(family string, v float64, r [2]int) (float64, bool) {
	cs, ok := bt.cdfs[family]
	if !ok {
		cs = make([]*cdf, len(bt.subs))
		bt.cdfs[family] = cs
	}
	var at, n int64
	for i := r[0]; i < r[1]; i++ {
		if cs[i] == nil {
			h, err := bt.hist(family, i)
			if err != nil {
				return 0, false
			}
			if bt.dense == nil {
				bt.dense = result.NewHistogram()
			}
			bt.dense.Reset()
			if h.MergeInto(bt.dense) != 0 { // values past the shared range, as DecodeHist refuses
				return 0, false
			}
			cs[i] = newCDF(bt.dense)
		}
		at += cs[i].atMost(v)
		n += cs[i].n
	}
	return float64(at) / float64(n), n > 0
}

// halfWidth is the batch-means half-width of the statistic stat, with
// the number of batches used; ok is false with fewer than minBatches
// batches that have a value.
func (bt *batcher) halfWidth(stat func(r [2]int) (float64, bool), level float64) (half float64, b int, ok bool) {
	for b = min(maxBatches, len(bt.subs)); b >= minBatches; b /= 2 {
		var vals []float64
		for _, r := range bt.group(b) {
			if v, ok := stat(r); ok && !math.IsNaN(v) && !math.IsInf(v, 0) {
				vals = append(vals, v)
			}
		}
		n := len(vals)
		if n < minBatches {
			return 0, 0, false
		}
		if lag1(vals) > 2/math.Sqrt(float64(n)) && b/2 >= minBatches {
			continue
		}
		est, err := queueing.BatchMeans(vals, level)
		if err != nil {
			return 0, 0, false
		}
		return est.HalfWidth, n, true
	}
	return 0, 0, false
}

// lag1 is the lag-1 autocorrelation of xs (0 for a constant series).
func lag1(xs []float64) float64 {
	n := len(xs)
	if n < 3 {
		return 0
	}
	var mean float64
	for _, x := range xs {
		mean += x
	}
	mean /= float64(n)
	var num, den float64
	for i, x := range xs {
		den += (x - mean) * (x - mean)
		if i > 0 {
			num += (x - mean) * (xs[i-1] - mean)
		}
	}
	if den == 0 {
		return 0
	}
	return num / den
}
