package queueing

import (
	"fmt"
	"math"
	"slices"

	"github.com/bploadgen/bploadgen/internal/dist"
	"gonum.org/v1/gonum/stat/distuv"
)

// Estimate is a point estimate with the half-width of its confidence
// interval: the truth lies in [Value − HalfWidth, Value + HalfWidth] with the
// stated confidence. HalfWidth is 0 for exact (model) values.
type Estimate struct {
	Value     float64
	HalfWidth float64
}

// String formats e as "value ± half-width".
func (e Estimate) String() string { return fmt.Sprintf("%.6g ± %.2g", e.Value, e.HalfWidth) }

// Contains reports whether v lies within the interval, widened by slack.
func (e Estimate) Contains(v, slack float64) bool {
	return math.Abs(v-e.Value) <= e.HalfWidth+slack
}

// StudentT returns the two-sided critical value t_{df, (1+level)/2} of
// Student's t distribution with df ≥ 1 degrees of freedom, for a confidence
// level in (0, 1); NaN otherwise. (gonum stat/distuv.StudentsT.)
func StudentT(level float64, df int) float64 {
	if !(level > 0 && level < 1) || df < 1 {
		return math.NaN()
	}
	return distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(df)}.Quantile((1 + level) / 2)
}

// NormalZ returns the two-sided standard normal critical value z_{(1+level)/2}
// (1.959964 for 95%); NaN unless level is in (0, 1).
func NormalZ(level float64) float64 {
	if !(level > 0 && level < 1) {
		return math.NaN()
	}
	return dist.NormalQuantile((1 + level) / 2)
}

// BatchMeans returns the mean of per-batch statistics and the half-width
// t_{B−1}·sd/√B of its confidence interval at the given level (docs/queueing.md §8:
// "report estimate ± t_{B−1}·sd_batches/√B"). The batches must be
// contiguous, long compared with the relaxation time, and B ≥ 2; B = 20–30 is
// usual. NaN entries are an error (a batch without data).
func BatchMeans(batches []float64, level float64) (Estimate, error) {
	return batchMeans(batches, level, StudentT(level, len(batches)-1))
}

// batchMeans is BatchMeans with its critical value t = StudentT(level,
// len(batches)−1) given: a simulation's summary estimates a dozen
// figures over the same batches, and the t quantile (an inverse
// incomplete beta) cost as much as the rest of the summary.
func batchMeans(batches []float64, level, t float64) (Estimate, error) {
	b := len(batches)
	if b < 2 {
		return Estimate{}, fmt.Errorf("batch means: need at least 2 batches, got %d", b)
	}
	if !(level > 0 && level < 1) {
		return Estimate{}, fmt.Errorf("batch means: confidence level must be in (0, 1), got %g", level)
	}
	mean := 0.0
	for _, v := range batches {
		if !finite(v) {
			return Estimate{}, fmt.Errorf("batch means: batch value %g is not a finite number", v)
		}
		mean += v
	}
	mean /= float64(b)
	ss := 0.0
	for _, v := range batches {
		ss += (v - mean) * (v - mean)
	}
	sd := math.Sqrt(ss / float64(b-1))
	return Estimate{Value: mean, HalfWidth: t * sd / math.Sqrt(float64(b))}, nil
}

// SamplesForQuantile is the number of iid samples needed for the p-quantile
// to be within ±eps (relative) with the given confidence, assuming an
// exponential tail (docs/queueing.md §8, from SD(x̂_p) ≈ √(p(1−p)/n)/f(x_p)):
//
//	n ≈ z²·p / ((1−p)·(eps·ln(1/(1−p)))²)
//
// For example p99 ± 5% at 95% needs 7 173. Queue latencies are
// autocorrelated, so a real run needs many times more (§8: about 230× at
// ρ = 0.9). Returns 0 for invalid input (p, eps or level outside (0, 1)).
func SamplesForQuantile(p, eps, level float64) int {
	if !(p > 0 && p < 1) || !(eps > 0 && eps < 1) || !(level > 0 && level < 1) {
		return 0
	}
	z := NormalZ(level)
	l := eps * -math.Log1p(-p)
	return int(math.Ceil(z * z * p / ((1 - p) * l * l)))
}

// QuantileCI returns a distribution-free confidence interval for the
// p-quantile from iid samples, by order statistics (Hahn & Meeker,
// Statistical Intervals, 1991; docs/queueing.md §8): the number of samples below
// the true quantile is Binomial(n, p), so [X_(l), X_(u)] with
//
//	l = ⌊np − z√(np(1−p))⌋,   u = ⌈np + z√(np(1−p))⌉ + 1
//
// (1-based ranks, clamped to [1, n]). sorted must be in ascending order.
func QuantileCI(sorted []float64, p, level float64) (lo, hi float64, err error) {
	n := len(sorted)
	if n == 0 {
		return 0, 0, fmt.Errorf("quantile CI: no samples")
	}
	if !(p > 0 && p < 1) || !(level > 0 && level < 1) {
		return 0, 0, fmt.Errorf("quantile CI: p and level must be in (0, 1), got %g and %g", p, level)
	}
	if !slices.IsSorted(sorted) {
		return 0, 0, fmt.Errorf("quantile CI: samples are not sorted")
	}
	np := float64(n) * p
	half := NormalZ(level) * math.Sqrt(np*(1-p))
	l := int(math.Floor(np - half))
	u := int(math.Ceil(np+half)) + 1
	l = min(max(l, 1), n)
	u = min(max(u, 1), n)
	return sorted[l-1], sorted[u-1], nil
}

// SampleQuantile is the p-quantile of an ascending sample by the inverse
// empirical CDF: the ⌈np⌉-th smallest value (what an HDR histogram reports).
// It returns NaN for an empty sample or p outside (0, 1).
func SampleQuantile(sorted []float64, p float64) float64 {
	n := len(sorted)
	if n == 0 || !(p > 0 && p < 1) {
		return math.NaN()
	}
	i := int(math.Ceil(float64(n)*p)) - 1
	return sorted[min(max(i, 0), n-1)]
}

// RelaxationTimeMM1 is the relaxation time 1/(μ(1−√ρ)²) of the M/M/1 queue
// in seconds: 0.12, 0.90, 3.8 and 15.6 s at ρ = 0.5, 0.8, 0.9, 0.95 with
// μ = 100/s. Warm-up should discard ≥ 10 of them and each batch should span
// ≥ 10 (docs/queueing.md §8; classical, attributed to Morse 1955). It is +Inf for
// ρ ≥ 1 and NaN for invalid rates.
func RelaxationTimeMM1(lambda, mu float64) float64 {
	if !(lambda >= 0) || !(mu > 0) || !finite(lambda) || !finite(mu) {
		return math.NaN()
	}
	rho := lambda / mu
	if rho >= 1 {
		return math.Inf(1)
	}
	s := 1 - math.Sqrt(rho)
	return 1 / (mu * s * s)
}

// Wilson returns the Wilson score interval of a binomial proportion: x
// successes in n trials, at the given two-sided confidence level (Wilson,
// JASA 22:209–212, 1927; Agresti & Coull, Am. Stat. 52:119–126, 1998):
//
//	(p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)
//
// Unlike p̂ ± z·√(p̂(1−p̂)/n) it is never empty at x = 0 or x = n and stays
// inside [0, 1]. It assumes independent trials: rejections that come in
// bursts need a batch-means interval beside it (queueing.md §8). An error
// for n < 1, x outside [0, n] or a level outside (0, 1).
func Wilson(x, n int64, level float64) (lo, hi float64, err error) {
	if n < 1 || x < 0 || x > n {
		return 0, 0, fmt.Errorf("wilson interval: want 0 <= x <= n and n >= 1, got x %d n %d", x, n)
	}
	if !(level > 0 && level < 1) {
		return 0, 0, fmt.Errorf("wilson interval: confidence level must be in (0, 1), got %g", level)
	}
	z := NormalZ(level)
	fn := float64(n)
	p := float64(x) / fn
	z2n := z * z / fn
	mid := (p + z2n/2) / (1 + z2n)
	half := z * math.Sqrt(p*(1-p)/fn+z2n/(4*fn)) / (1 + z2n)
	lo, hi = math.Max(0, mid-half), math.Min(1, mid+half)
	if x == 0 {
		lo = 0
	}
	if x == n {
		hi = 1
	}
	return lo, hi, nil
}
