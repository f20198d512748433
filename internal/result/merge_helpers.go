package result

import (
	"math"
	"math/bits"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// SCV is the squared coefficient of variation Var/mean² of n values given
// their sum and sum of squares, with the sample variance (divisor n−1); 0
// with fewer than two values or a non-positive mean. The engine writes
// Stage.ArrivalSCV and ServerTiming.ServiceSCV with it, so that a merge,
// which sees only the sums, recomputes exactly what one process would have
// written.
func SCV(n int64, sum, sumSq float64) float64 {
	if n < 2 || sum <= 0 {
		return 0
	}
	mean := sum / float64(n)
	v := (sumSq - float64(n)*mean*mean) / float64(n-1)
	if v < 0 {
		v = 0
	}
	return v / (mean * mean)
}

// Percentiler is a histogram, dense (*hdr.Histogram) or sparse
// (*hdr.PackedHistogram): both read percentiles by the same nearest-rank rule.
type Percentiler interface {
	TotalCount() int64
	ValueAtPercentile(percentile float64) int64
}

var (
	_ Percentiler = (*hdr.Histogram)(nil)
	_ Percentiler = (*hdr.PackedHistogram)(nil)
)

// QuantileNS returns the p-th percentile (0 < p ≤ 100) of h in nanoseconds
// by the inverse of the empirical distribution function: the highest
// equivalent value of the first bucket at which the cumulative count reaches
// ⌈p/100 · n⌉ (Hyndman & Fan type 1, the HdrHistogram Java rule). It is 0
// for an empty h.
//
// Unlike hdrhistogram-go's nearest-rank rule (rank ⌊p/100·n + ½⌋), this
// rule gives the same value when every bucket count is multiplied by the
// same factor, so a result merged with itself keeps its percentiles exactly;
// and it is a pure function of the bucket counts, so a merge of shards gives
// exactly the percentiles of one histogram of all their samples. p is read
// to 1e-6 of a percent.
func QuantileNS(h Percentiler, p float64) int64 {
	n := h.TotalCount()
	if n == 0 {
		return 0
	}
	// The percentile whose hdrhistogram-go nearest rank ⌊q·n + ½⌋ is rank.
	rank := ceilRank(p, n)
	return h.ValueAtPercentile(100 * (float64(rank) - 0.25) / float64(n))
}

// ceilRank is ⌈p/100 · n⌉ clamped to [1, n], computed in integers from p in
// units of 1e-6 percent so that 99.9 and 99.99 are exact.
func ceilRank(p float64, n int64) int64 {
	const scale = 100_000_000 // 100 % in units of 1e-6 %
	pu := uint64(math.Round(max(0, min(p, 100)) * 1e6))
	hi, lo := bits.Mul64(pu, uint64(n))
	q, r := bits.Div64(hi, lo, scale)
	if r != 0 {
		q++
	}
	return max(1, min(int64(q), n))
}

// Summarizer is what SummarizeMergeable reads: *hdr.Histogram or
// *hdr.PackedHistogram.
type Summarizer interface {
	Percentiler
	Min() int64
	Max() int64
	Mean() float64
}

// SummarizeMergeable is Summarize with the percentiles of QuantileNS, for a
// dense or a sparse histogram: the summary that merge(r, r) leaves exactly
// as it was. Summarize (and the engine's summaries of sparse histograms)
// can switch to it to make that hold for every result. h must not be a nil
// pointer.
func SummarizeMergeable(h Summarizer) Summary {
	if h == nil || h.TotalCount() == 0 {
		return Summary{}
	}
	q := func(p float64) float64 { return nsToS(QuantileNS(h, p)) }
	return Summary{
		Count: h.TotalCount(), Min: nsToS(h.Min()), Mean: h.Mean() / 1e9,
		P50: q(50), P90: q(90), P95: q(95), P99: q(99), P999: q(99.9), P9999: q(99.99),
		Max: nsToS(h.Max()),
	}
}
