package result

import "testing"

// TestSummarizeScaleInvariant: doubling every count (a result merged with
// itself) leaves every summary percentile where it was. hdrhistogram-go's
// own nearest-rank rule (rank ⌊p·n + ½⌋) fails this on 60 distinct values:
// p90 is rank 54 of 60 but rank 108 of 120 = the 54th value only for the
// ⌈p·n⌉ rule.
func TestSummarizeScaleInvariant(t *testing.T) {
	h, twice := NewHistogram(), NewHistogram()
	for v := int64(1); v <= 60; v++ {
		_ = h.RecordValue(v * 1_000_000)
		_ = twice.RecordValues(v*1_000_000, 2)
	}
	a, b := Summarize(h), Summarize(twice)
	b.Count /= 2
	if a != b {
		t.Fatalf("summary changed under doubling:\n%+v\n%+v", a, b)
	}
	// The ⌈p·n⌉ rule on 1..60 ms: p50 = 30th, p90 = 54th, p99 = 60th value.
	for _, c := range []struct{ got, want float64 }{{a.P50, 0.030}, {a.P90, 0.054}, {a.P99, 0.060}} {
		if c.got < c.want || c.got > c.want*1.001 {
			t.Errorf("percentile %v, want %v (within the 0.1%% bucket)", c.got, c.want)
		}
	}
}
