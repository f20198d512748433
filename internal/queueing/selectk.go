package queueing

import "math"

// selectKth partially orders xs so that xs[k] holds the value it would have
// if xs were sorted, everything before it is ≤ xs[k] and everything after
// is ≥ xs[k] (Hoare's quickselect with a median-of-three pivot; expected
// O(len(xs))). 0 ≤ k < len(xs).
func selectKth(xs []float64, k int) float64 {
	lo, hi := 0, len(xs)-1
	for hi > lo {
		if hi-lo < 16 {
			insertionSort(xs[lo : hi+1])
			break
		}
		mid := lo + (hi-lo)/2
		// Median of three into xs[mid].
		if xs[mid] < xs[lo] {
			xs[mid], xs[lo] = xs[lo], xs[mid]
		}
		if xs[hi] < xs[lo] {
			xs[hi], xs[lo] = xs[lo], xs[hi]
		}
		if xs[hi] < xs[mid] {
			xs[hi], xs[mid] = xs[mid], xs[hi]
		}
		pivot := xs[mid]
		i, j := lo, hi
		for i <= j {
			for xs[i] < pivot {
				i++
			}
			for xs[j] > pivot {
				j--
			}
			if i <= j {
				xs[i], xs[j] = xs[j], xs[i]
				i++
				j--
			}
		}
		// Now xs[lo..j] ≤ pivot ≤ xs[i..hi], and xs[j+1..i-1] == pivot.
		switch {
		case k <= j:
			hi = j
		case k >= i:
			lo = i
		default:
			return xs[k]
		}
	}
	return xs[k]
}

func insertionSort(xs []float64) {
	for i := 1; i < len(xs); i++ {
		v := xs[i]
		j := i
		for j > 0 && xs[j-1] > v {
			xs[j] = xs[j-1]
			j--
		}
		xs[j] = v
	}
}

// quantilesOf returns the inverse-ECDF p-quantiles (the ⌈np⌉-th smallest
// value, as SampleQuantile) of xs for each p, reordering xs in place.
func quantilesOf(xs []float64, ps []float64) []float64 {
	out := make([]float64, len(ps))
	n := len(xs)
	for i, p := range ps {
		if n == 0 {
			out[i] = math.NaN()
			continue
		}
		k := min(max(int(math.Ceil(float64(n)*p))-1, 0), n-1)
		out[i] = selectKth(xs, k)
	}
	return out
}
