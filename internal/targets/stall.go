package targets

import (
	"math"
	"time"
)

// stallSchedule is the outage pattern: all workers are frozen during
// [k·every, k·every+length) for k ≥ 1, offsets from the server's start.
// The zero value never stalls.
type stallSchedule struct {
	every, length time.Duration
}

// stalled reports whether offset t lies inside a stall window.
func (st stallSchedule) stalled(t time.Duration) bool {
	if st.every <= 0 || t < st.every {
		return false
	}
	return t%st.every < st.length
}

// finish returns the offset at which d of service, started at offset start,
// is complete when no service progresses during stall windows. A service
// that completes exactly when a stall begins is complete. Pure function:
// tests check it against a brute-force walk.
func (st stallSchedule) finish(start, d time.Duration) time.Duration {
	if st.every <= 0 || d <= 0 {
		return start + max(d, 0)
	}
	t := start
	if st.stalled(t) {
		t = t - t%st.every + st.length // end of the current stall
	}
	next := (t/st.every + 1) * st.every // start of the next stall (> t)
	if d <= next-t {
		return t + d
	}
	d -= next - t
	// Each full period from the end of a stall offers every-length of progress.
	active := st.every - st.length
	n := (d - 1) / active // full active phases before the one where d ends
	if n > (math.MaxInt64-next-st.every)/st.every {
		return math.MaxInt64 // never, for any practical purpose
	}
	return next + n*st.every + st.length + (d - n*active)
}

// overlap returns how much of [from, to) lies inside stall windows.
func (st stallSchedule) overlap(from, to time.Duration) time.Duration {
	if st.every <= 0 || to <= from {
		return 0
	}
	return st.stalledBefore(to) - st.stalledBefore(from)
}

// stalledBefore is the total stall time in [0, t).
func (st stallSchedule) stalledBefore(t time.Duration) time.Duration {
	if t < st.every {
		return 0
	}
	k := t / st.every // windows 1..k have started
	return (k-1)*st.length + min(t-k*st.every, st.length)
}
