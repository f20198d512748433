package targets

import (
	"math"
	"testing"
	"time"
)

// bruteFinish walks time one nanosecond at a time: the definition of finish.
func bruteFinish(st stallSchedule, start, d time.Duration) time.Duration {
	t := start
	for d > 0 {
		if !st.stalled(t) {
			d--
		}
		t++
	}
	return t
}

func bruteOverlap(st stallSchedule, from, to time.Duration) time.Duration {
	var n time.Duration
	for t := from; t < to; t++ {
		if st.stalled(t) {
			n++
		}
	}
	return n
}

func TestStallFinishMatchesBruteForce(t *testing.T) {
	for _, st := range []stallSchedule{{10, 3}, {7, 6}, {5, 1}, {0, 0}} {
		for start := time.Duration(0); start < 40; start++ {
			for d := time.Duration(0); d < 40; d++ {
				if got, want := st.finish(start, d), bruteFinish(st, start, d); got != want {
					t.Fatalf("%+v finish(%d, %d) = %d, want %d", st, start, d, got, want)
				}
				if got, want := st.overlap(start, start+d), bruteOverlap(st, start, start+d); got != want {
					t.Fatalf("%+v overlap(%d, %d) = %d, want %d", st, start, start+d, got, want)
				}
			}
		}
	}
}

func TestStallFinishExamples(t *testing.T) {
	st := stallSchedule{every: 100 * time.Millisecond, length: 30 * time.Millisecond}
	cases := []struct{ start, d, want time.Duration }{
		{ms(0), ms(10), ms(10)},    // before the first stall
		{ms(95), ms(5), ms(100)},   // ends exactly as the stall begins: done
		{ms(95), ms(10), ms(135)},  // 5 before, frozen 100–130, 5 after
		{ms(110), ms(10), ms(140)}, // starts frozen: progress from 130
		{ms(0), ms(210), ms(270)},  // 100 + 70 + 40: two stalls crossed
	}
	// A huge sample (lognormal, large σ) against a tiny active phase must
	// not overflow.
	if got := (stallSchedule{every: 100_000, length: 99_999}).finish(0, maxService*time.Second); got != math.MaxInt64 {
		t.Errorf("overflowing finish = %v, want MaxInt64", got)
	}
	for _, c := range cases {
		if got := st.finish(c.start, c.d); got != c.want {
			t.Errorf("finish(%v, %v) = %v, want %v", c.start, c.d, got, c.want)
		}
	}
}

func FuzzStallFinish(f *testing.F) {
	f.Add(uint16(10), uint16(3), uint16(5), uint16(30))
	f.Fuzz(func(t *testing.T, every, length, start, d uint16) {
		st := stallSchedule{every: time.Duration(every%200) + 2, length: time.Duration(length % 200)}
		if st.length >= st.every {
			st.length = st.every - 1
		}
		s, dd := time.Duration(start%500), time.Duration(d%500)
		if got, want := st.finish(s, dd), bruteFinish(st, s, dd); got != want {
			t.Fatalf("%+v finish(%d, %d) = %d, want %d", st, s, dd, got, want)
		}
	})
}
