package targets

import (
	"math"
	"sort"
)

// histBounds are the upper bounds (seconds) of the /metrics histograms:
// a 1-2-5 series from 10 µs to 50 s, fine enough to see the shape of a
// millisecond-scale service and coarse enough to stay small. Clients that
// need exact values read Server-Timing per request.
var histBounds = func() []float64 {
	var b []float64
	for e := -5; e <= 1; e++ {
		scale := math.Pow10(e)
		b = append(b, scale, 2*scale, 5*scale)
	}
	return b
}()

// histogram counts observations (seconds) into histBounds plus +Inf. Not
// safe for concurrent use: the Server guards it with its mutex.
type histogram struct {
	counts [len1Bounds]uint64 // counts[i]: observations in (bound[i-1], bound[i]]; last is +Inf
	count  uint64
	sum    float64
}

// len1Bounds is len(histBounds)+1, a constant so histograms are plain values.
const len1Bounds = 22

func (h *histogram) observe(v float64) {
	i := sort.SearchFloat64s(histBounds, v) // first bound ≥ v
	h.counts[i]++
	h.count++
	h.sum += v
}

// cumulative returns the count of observations ≤ each bound in histBounds.
func (h *histogram) cumulative() []uint64 {
	out := make([]uint64, len(histBounds))
	var acc uint64
	for i := range histBounds {
		acc += h.counts[i]
		out[i] = acc
	}
	return out
}
