package compare

import (
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// The significance levels of the verdicts (see the package doc).
const (
	// zQuantile sets each run's order-statistic confidence interval of a
	// percentile at 95%; a change is significant when the two are disjoint,
	// which for equal widths is a test at about the 0.6% level.
	zQuantile = 1.96
	// zNormal is how many standard errors of the difference a mean, ratio
	// or rate must move: three, about the 0.3% level, so that a table of a
	// dozen metrics per stage rarely shows a false alarm.
	zNormal = 3.0
	// minBatches is the fewest timeline batches a batch-means standard
	// error is computed from; maxBatches groups longer timelines.
	minBatches = 5
	maxBatches = 20
)

// quantileCI returns the 95% order-statistic confidence interval [lo, hi]
// (seconds) of the pct-th percentile of h (result.QuantileCI).
func quantileCI(h *hdr.Histogram, pct float64) (lo, hi float64) {
	return result.QuantileCI(h, pct/100, zQuantile)
}

// meanSE is the standard error (seconds) of the mean of h, iid.
func meanSE(h *hdr.Histogram) float64 {
	n := float64(h.TotalCount())
	if n < 2 {
		return 0
	}
	return h.StdDev() / 1e9 / math.Sqrt(n)
}

// binomialSE is the standard error of the difference of two proportions
// x1/n1 and x2/n2 under the pooled null hypothesis that they are equal.
func binomialSE(x1, n1, x2, n2 int64) float64 {
	if n1 <= 0 || n2 <= 0 {
		return 0
	}
	p := float64(x1+x2) / float64(n1+n2)
	return math.Sqrt(p * (1 - p) * (1/float64(n1) + 1/float64(n2)))
}

// batchSE is the batch-means standard error of a ratio Σnum/Σden over the
// windows: the windows are cut into up to maxBatches contiguous batches,
// and the standard error is the standard deviation of the batch ratios over
// √batches. It sees burstiness (503s come in bursts) that a binomial error
// does not. ok is false with fewer than minBatches batches.
func batchSE(ws []*result.Window, num, den func(*result.Window) float64) (se float64, ok bool) {
	b := min(maxBatches, len(ws))
	if b < minBatches {
		return 0, false
	}
	var ratios []float64
	for k := range b {
		var sn, sd float64
		for _, w := range ws[k*len(ws)/b : (k+1)*len(ws)/b] {
			sn += num(w)
			sd += den(w)
		}
		if sd > 0 {
			ratios = append(ratios, sn/sd)
		}
	}
	if len(ratios) < minBatches {
		return 0, false
	}
	var mean, ss float64
	for _, r := range ratios {
		mean += r
	}
	mean /= float64(len(ratios))
	for _, r := range ratios {
		ss += (r - mean) * (r - mean)
	}
	return math.Sqrt(ss/float64(len(ratios)-1)) / math.Sqrt(float64(len(ratios))), true
}
