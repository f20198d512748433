package result

import (
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// ValueAtRank returns the rank-th smallest value recorded in h (1-based,
// 1 ≤ rank ≤ h.TotalCount()) in seconds: the highest equivalent value of
// its bucket, as Quantile reports values. It asks hdrhistogram-go for the
// percentile whose nearest rank, ⌊p·n + ½⌋, is rank. Order-statistic
// confidence intervals of percentiles (queueing.md §8) read their ends here.
func ValueAtRank(h *hdr.Histogram, rank int64) float64 {
	n := float64(h.TotalCount())
	return float64(h.ValueAtPercentile(100*(float64(rank)-0.25)/n)) / 1e9
}

// QuantileCI returns the distribution-free confidence interval [lo, hi]
// (seconds) of the p-th percentile (0 < p < 1) of h from order statistics
// (docs/queueing.md §8, Hahn & Meeker 1991) at z standard normal
// deviates: ranks l = ⌊np − z√(np(1−p))⌋ and u = ⌈np + z√(np(1−p))⌉ + 1,
// clamped to [1, n]. An empty h gives NaN, NaN.
func QuantileCI(h *hdr.Histogram, p, z float64) (lo, hi float64) {
	n := float64(h.TotalCount())
	if n == 0 {
		return math.NaN(), math.NaN()
	}
	sd := math.Sqrt(n * p * (1 - p))
	l := max(1, math.Floor(n*p-z*sd))
	u := min(n, math.Ceil(n*p+z*sd)+1)
	return ValueAtRank(h, int64(l)), ValueAtRank(h, int64(u))
}

// CountAtMost returns how many values of h are at most v seconds, at the
// histogram's resolution: a bucket counts when its highest equivalent value
// is ≤ v (so a value read back by Quantile or ValueAtRank counts its own
// bucket). NaN counts nothing.
func CountAtMost(h *hdr.Histogram, v float64) int64 {
	if math.IsNaN(v) || h.TotalCount() == 0 {
		return 0
	}
	lim := int64(math.MaxInt64)
	if v*1e9 < float64(math.MaxInt64) {
		lim = int64(math.Floor(v*1e9 + 0.5))
	}
	var n int64
	for _, b := range h.Distribution() {
		if b.To > lim {
			break
		}
		n += b.Count
	}
	return n
}
