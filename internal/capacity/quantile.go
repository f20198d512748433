package capacity

import (
	"math"
	"sort"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A percentile's interval, by inverting the interval of a proportion.
// The p-quantile lies above v exactly when F(v), the fraction of
// responses at most v, is below p. So the interval's upper end is the
// smallest recorded value v at which F(v) is at least p for sure (the
// lower end of F(v)'s interval reaches p), its lower end the largest at
// which F(v) is below p for sure. F(v)'s interval is the wider of the
// Wilson interval of the count at most v (independent responses) and the
// batch-means interval of the batches' own fractions (stalls and queues
// make slow responses come in bursts). With independent responses this
// is the order-statistic interval of queueing.md §8; with bursts it
// widens where the bursts are, and not elsewhere: the largest value seen
// bounds a p99 far below its SLO once every batch lies under it.

// cdf is a histogram's cumulative counts by value, for counting fast.
type cdf struct {
	to  []int64 // highest equivalent value of each non-empty bucket, ns, ascending
	cum []int64 // values at most to[i]
	n   int64
}

func newCDF(h *hdr.Histogram) *cdf {
	c := &cdf{n: h.TotalCount()}
	for _, b := range h.Distribution() {
		if b.Count == 0 {
			continue
		}
		var prev int64
		if len(c.cum) > 0 {
			prev = c.cum[len(c.cum)-1]
		}
		c.to, c.cum = append(c.to, b.To), append(c.cum, prev+b.Count)
	}
	return c
}

// atMost is how many values are at most v seconds (result.CountAtMost).
func (c *cdf) atMost(v float64) int64 {
	lim := int64(math.Floor(v*1e9 + 0.5))
	i := sort.Search(len(c.to), func(i int) bool { return c.to[i] > lim })
	if i == 0 {
		return 0
	}
	return c.cum[i-1]
}

// fracBounds is the interval of F(v) for the probe (whole cdf all, batches
// in bt) and whether the batches widened it.
func fracBounds(all *cdf, bt *batcher, fam string, v float64) (lb, ub float64, batches int) {
	x := all.atMost(v)
	lb, ub, err := queueing.Wilson(x, all.n, Level)
	if err != nil {
		return 0, 1, 0
	}
	f := float64(x) / float64(all.n)
	half, b, ok := bt.halfWidth(func(r [2]int) (float64, bool) { return bt.fracAtMost(fam, v, r) }, Level)
	if ok && (f-half < lb || f+half > ub) {
		return math.Max(0, math.Min(lb, f-half)), math.Min(1, math.Max(ub, f+half)), b
	}
	return lb, ub, 0
}

// quantileCI is the interval [lo, hi] (seconds) of the p-quantile of h;
// hi is +Inf when not even the largest value is sure to be above it.
// batches is the number of batches that widened an end (0: none).
func quantileCI(h *hdr.Histogram, bt *batcher, fam string, p float64) (lo, hi float64, batches int) {
	all := newCDF(h)
	n := all.n
	if n == 0 {
		return 0, math.Inf(1), 0
	}
	at := func(rank int64) float64 { return result.ValueAtRank(h, rank) }
	est := max(1, min(n, int64(math.Ceil(p*float64(n)))))
	// Upper end: the smallest rank in [est, n] whose value is surely at or
	// above the quantile. Checking a value costs a pass over the batches,
	// so bisect (the bounds rise with the value).
	sure := func(r int64) bool {
		lb, _, b := fracBounds(all, bt, fam, at(r))
		batches = max(batches, b)
		return lb >= p
	}
	if !sure(n) {
		hi = math.Inf(1)
	} else {
		a, b := est, n
		for a < b {
			m := (a + b) / 2
			if sure(m) {
				b = m
			} else {
				a = m + 1
			}
		}
		hi = at(a)
	}
	// Lower end: the largest rank in [1, est] whose value is surely below.
	below := func(r int64) bool {
		_, ub, b := fracBounds(all, bt, fam, at(r))
		batches = max(batches, b)
		return ub < p
	}
	if !below(1) {
		return 0, hi, batches
	}
	a, b := int64(1), est
	for a < b {
		m := (a + b + 1) / 2
		if below(m) {
			a = m
		} else {
			b = m - 1
		}
	}
	return at(a), hi, batches
}
