package openloop

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// The in-flight maximum is that of the requests' intervals [sent, end) in
// time order, whatever order their events reach the recorder in. They
// come out of order: an event loop times a response by the kernel's
// receive stamp, which may fall before a send it recorded first, and
// several loops or workers report concurrently. So a change is held
// (pending) until no event before it can still come, and changes are
// applied in time order up to that mark:
//
//   - an arrival not yet sent will be sent at or after its intended time,
//     and a request in flight ends at or after its send, so every event
//     still to come falls at or after the least "low" bound of the live
//     requests (intended time while scheduled, send time once sent);
//   - every arrival before the recorder's passed mark has been scheduled.
//
// The mark is the lesser of the two. Pending holds the changes after it:
// in a steady run those of the longest request now in flight, twice the
// rate × its age (a request hung for the 30 s default timeout at 2000 rps:
// 120,000 changes, 1 MB); maxPending bounds them: beyond, the oldest is
// applied at once. That stays exact unless a change before it comes
// later; such changes are counted (late) and the run warns (warning).
// Behind one long request the later changes are the newest, so the
// count stays exact; ends stamped long before they are heard are not.

// maxPending bounds the held changes, 8 bytes each.
const maxPending = 1 << 21

// sweep is the time-ordered in-flight count. Recorder-locked.
type sweep struct {
	count     int64
	pending   minHeap // changes not yet applied: t<<1 an end (−1), t<<1|1 a send (+1), so an end sorts before a send at the same instant
	low, gone minHeap // the live requests' low bounds; gone: bounds removed (lazy deletion)
	lastStage int     // stage / window of the last change applied, for carrying
	lastWin   int     // the count into intervals with no change of their own

	bound  int   // most changes held (maxPending; tests lower it)
	forced int64 // greatest key applied before its mark (MinInt64: none)
	late   int64 // changes that came before a change already applied: out of time order
}

// live adds a live request's low bound; unlive removes one added before.
func (s *sweep) live(t time.Duration) { s.low.push(int64(t)) }
func (s *sweep) unlive(t time.Duration) {
	s.gone.push(int64(t))
	if n := s.gone.len(); n > 1024 && 2*n > s.low.len() {
		s.compact()
	}
}

// compact drops the removed bounds from low at once. Removals are lazy
// (lowest drops a removed bound when it reaches the top), so behind a
// request in flight for long, low would keep every bound added since;
// compacting when they are half of it keeps low within twice the live
// requests (and 2048), at O(log n) a request amortized.
func (s *sweep) compact() {
	slices.Sort(s.low) // a sorted slice is a min-heap
	slices.Sort(s.gone)
	kept, j := s.low[:0], 0
	for _, v := range s.low {
		for j < len(s.gone) && s.gone[j] < v {
			j++ // never added: drop it
		}
		if j < len(s.gone) && s.gone[j] == v {
			j++
			continue
		}
		kept = append(kept, v)
	}
	s.low, s.gone = kept, s.gone[:0]
}

// lowest is the least low bound of the live requests (MaxInt64: none).
func (s *sweep) lowest() int64 {
	for s.gone.len() > 0 {
		g := s.gone.top()
		switch {
		case s.low.len() == 0 || g < s.low.top(): // never added: drop it
			s.gone.pop()
			continue
		case g == s.low.top():
			s.gone.pop()
			s.low.pop()
			continue
		}
		break
	}
	if s.low.len() == 0 {
		return math.MaxInt64
	}
	return s.low.top()
}

// changeAt holds a ±1 change of the in-flight count at offset t.
func (r *recorder) changeAt(t time.Duration, delta int64) {
	k := int64(t) << 1
	if delta > 0 {
		k |= 1
	}
	f := &r.fly
	if k < f.forced {
		f.late++ // it will be applied after a change that follows it
	}
	f.pending.push(k)
	if f.pending.len() > f.bound {
		k := f.pending.pop() // the least held: every change held comes after it
		f.forced = max(f.forced, k)
		r.applyAt(time.Duration(k>>1), 2*(k&1)-1)
	}
}

// warning says that the in-flight maxima are not exact, "" when they are:
// some changes came after a later one had been applied (see maxPending).
func (s *sweep) warning() string {
	if s.late == 0 {
		return ""
	}
	return fmt.Sprintf("the in-flight maxima are approximate: %d changes of the in-flight count came after more than %d later ones were held and were applied out of time order (a response timed long before it was read, behind a request in flight for long; the in-flight means are exact)",
		s.late, s.bound)
}

// settle applies the held changes before the mark: the lesser of passed
// and the live requests' least bound. Called locked.
func (r *recorder) settle() { r.settleTo(min(int64(r.passed), r.fly.lowest())) }

// flush applies every held change (the run is over). Called locked.
func (r *recorder) flush() { r.settleTo(math.MaxInt64) }

// settleTo applies, in time order and an instant at a time, every held
// change before mark, then carries the count into the intervals that
// start before it (nothing can change it there any more).
func (r *recorder) settleTo(mark int64) {
	p := &r.fly.pending
	for p.len() > 0 && p.top()>>1 < mark {
		t, net := p.top()>>1, int64(0)
		for p.len() > 0 && p.top()>>1 == t {
			net += 2*(p.pop()&1) - 1
		}
		r.applyAt(time.Duration(t), net)
	}
	r.carryBefore(min(time.Duration(mark), r.limit))
}

// applyAt applies the net change of the count at instant t (every change
// at t at once: the count at t is the one after them all) and keeps the
// maxima. An interval's maximum is the most of its count at its start and
// after each instant of change within it.
func (r *recorder) applyAt(t time.Duration, net int64) {
	r.carryBefore(min(t, r.limit))
	r.fly.count += net
	if t >= 0 && t < r.limit { // then t is before the plan's end, so wi is a window
		si, wi := r.stageAt(t), int(t/WindowLength)
		s, w := &r.stages[si], &r.windows[wi]
		s.maxInFlight = max(s.maxInFlight, r.fly.count)
		w.maxInFlight = max(w.maxInFlight, r.fly.count)
		r.fly.lastStage, r.fly.lastWin = max(r.fly.lastStage, si), max(r.fly.lastWin, wi)
	}
}

// carryBefore carries the count, unchanged since the last change, into
// the intervals after the last one carried into that start before t: it
// is their count at their start.
func (r *recorder) carryBefore(t time.Duration) {
	f := &r.fly
	for ; f.lastStage+1 < len(r.stages) && r.stages[f.lastStage+1].start < t; f.lastStage++ {
		s := &r.stages[f.lastStage+1]
		s.maxInFlight = max(s.maxInFlight, f.count)
	}
	for ; f.lastWin+1 < len(r.windows) && r.windows[f.lastWin+1].start < t; f.lastWin++ {
		w := &r.windows[f.lastWin+1]
		w.maxInFlight = max(w.maxInFlight, f.count)
	}
}

// minHeap is a binary min-heap of int64.
type minHeap []int64

func (h minHeap) len() int   { return len(h) }
func (h minHeap) top() int64 { return h[0] }

func (h *minHeap) push(v int64) {
	*h = append(*h, v)
	a := *h
	for i := len(a) - 1; i > 0; {
		p := (i - 1) / 2
		if a[p] <= a[i] {
			break
		}
		a[p], a[i] = a[i], a[p]
		i = p
	}
}

func (h *minHeap) pop() int64 {
	a := *h
	v := a[0]
	n := len(a) - 1
	a[0] = a[n]
	a = a[:n]
	for i := 0; ; {
		l := 2*i + 1
		if l >= n {
			break
		}
		if r := l + 1; r < n && a[r] < a[l] {
			l = r
		}
		if a[i] <= a[l] {
			break
		}
		a[i], a[l] = a[l], a[i]
		i = l
	}
	*h = a
	return v
}
