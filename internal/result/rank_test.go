package result

import (
	"testing"
	"time"
)

func TestValueAtRankAndCountAtMost(t *testing.T) {
	h := NewHistogram()
	// 1, 2, ..., 100 ms: every value in its own bucket at 3 significant digits.
	for i := 1; i <= 100; i++ {
		if err := h.RecordValue(int64(i) * int64(time.Millisecond)); err != nil {
			t.Fatal(err)
		}
	}
	for _, rank := range []int64{1, 2, 50, 99, 100} {
		got := ValueAtRank(h, rank)
		// The bucket of k ms at 3 significant digits ends within 0.1% above it.
		want := float64(rank) / 1000
		if got < want || got > want*1.001 {
			t.Errorf("ValueAtRank(%d) = %g s, want %g s within its bucket (+0.1%%)", rank, got, want)
		}
		if n := CountAtMost(h, got); n != rank {
			t.Errorf("CountAtMost(ValueAtRank(%d)) = %d, want %d", rank, n, rank)
		}
	}
	if n := CountAtMost(h, 0.0005); n != 0 {
		t.Errorf("CountAtMost(0.5ms) = %d, want 0", n)
	}
	if n := CountAtMost(h, 10); n != 100 {
		t.Errorf("CountAtMost(10s) = %d, want 100", n)
	}
	if q, _ := Quantile(h, 99); CountAtMost(h, q) != 99 {
		t.Errorf("CountAtMost(p99 = %g) = %d, want 99 (rank ⌈0.99·100⌉)", q, CountAtMost(h, q))
	}
}
