package result

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSCV(t *testing.T) {
	for _, c := range []struct {
		vals []float64
		want float64
	}{
		{nil, 0},
		{[]float64{1}, 0},
		{[]float64{2, 2, 2}, 0},
		// mean 2, sample variance ((1-2)²+(3-2)²)/(2-1) = 2 → SCV 2/4
		{[]float64{1, 3}, 0.5},
	} {
		var s, ss float64
		for _, v := range c.vals {
			s += v
			ss += v * v
		}
		if got := SCV(int64(len(c.vals)), s, ss); got != c.want {
			t.Errorf("SCV(%v) = %g, want %g", c.vals, got, c.want)
		}
	}
}

// QuantileNS is the ⌈p·n⌉-th smallest sample's bucket, and stays put when
// every count is doubled.
func TestQuantileNS(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{1, 2, 3, 10, 99, 100, 101, 1000, 4321} {
		h, twice, packed := NewHistogram(), NewHistogram(), NewPacked()
		samples := make([]int64, n)
		for i := range samples {
			samples[i] = 1_000 + int64(rng.ExpFloat64()*2e6)
			_ = h.RecordValue(samples[i])
			_ = twice.RecordValues(samples[i], 2)
			_ = packed.RecordValue(samples[i])
		}
		slices.Sort(samples)
		for _, p := range []float64{1, 50, 90, 95, 99, 99.9, 99.99, 100} {
			rank := ceilRank(p, int64(n))
			one := NewHistogram()
			_ = one.RecordValue(samples[rank-1])
			want := one.ValueAtPercentile(100) // the bucket's highest equivalent value
			if got := QuantileNS(h, p); got != want {
				t.Errorf("n=%d p=%g: QuantileNS = %d, want %d (rank %d)", n, p, got, want, rank)
			}
			if got := QuantileNS(packed, p); got != want {
				t.Errorf("n=%d p=%g: packed QuantileNS = %d, want %d", n, p, got, want)
			}
			if got := QuantileNS(twice, p); got != want {
				t.Errorf("n=%d p=%g: doubled QuantileNS = %d, want %d", n, p, got, want)
			}
		}
	}
	if got := QuantileNS(NewHistogram(), 50); got != 0 {
		t.Errorf("empty: %d, want 0", got)
	}
}

func TestCeilRank(t *testing.T) {
	for _, c := range []struct {
		p    float64
		n    int64
		want int64
	}{
		{99, 100, 99},     // exactly 99
		{99, 101, 100},    // 99.99 → 100
		{99.9, 1000, 999}, // exact in 1e-6 % units
		{99.99, 10000, 9999},
		{50, 1, 1},
		{0, 10, 1}, // at least the first
		{100, 10, 10},
		{150, 10, 10},
	} {
		if got := ceilRank(c.p, c.n); got != c.want {
			t.Errorf("ceilRank(%g, %d) = %d, want %d", c.p, c.n, got, c.want)
		}
	}
}

func TestSummarizeMergeable(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	h, twice, packed := NewHistogram(), NewHistogram(), NewPacked()
	for range 2345 {
		v := 1_000 + int64(rng.ExpFloat64()*5e6)
		_ = h.RecordValue(v)
		_ = twice.RecordValues(v, 2)
		_ = packed.RecordValue(v)
	}
	s, d, p := SummarizeMergeable(h), SummarizeMergeable(twice), SummarizeMergeable(packed)
	if s != p {
		t.Errorf("dense %+v\npacked %+v", s, p)
	}
	d.Count /= 2
	if s != d {
		t.Errorf("doubling changed the summary:\n%+v\n%+v", s, d)
	}
	ref := Summarize(h)
	if s.Count != ref.Count || s.Min != ref.Min || s.Max != ref.Max || s.Mean != ref.Mean {
		t.Errorf("count/min/max/mean differ from Summarize: %+v vs %+v", s, ref)
	}
	if got := SummarizeMergeable(NewHistogram()); got != (Summary{}) {
		t.Errorf("empty: %+v", got)
	}
}
