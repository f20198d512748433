package openloop

import (
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Timer slack (Config.TimerSlack): a dispatcher may send an arrival up to
// the slack late so that arrivals close together share one wake-up. It
// wakes at the intended time of the last arrival within the slack of the
// next one, and sends every arrival due then: the first of them is at most
// the slack late, the last is on time, and one that no other arrival
// follows within the slack is woken for on time (so a slack costs nothing
// at low rates). The lateness is the send lag, and it is in the latency
// (measured from the intended time), as always.

// maxGroup bounds how many arrivals one wake-up may be planned for (and
// so how far the lookahead reads ahead).
const maxGroup = 256

// lookahead is a dispatcher's view of its schedule: the next arrivals,
// read ahead as far as the slack needs. One dispatcher owns it.
type lookahead struct {
	s     *schedule.Schedule
	buf   []schedule.Arrival // buf[head:] are read but not yet dispatched, in order
	head  int
	done  bool          // the schedule has no arrivals beyond buf
	key   int64         // Seq of the next arrival when wakeAt was computed (−1: not yet)
	wakes time.Duration // the wake-up computed for key
}

func newLookahead(s *schedule.Schedule) *lookahead {
	return &lookahead{s: s, buf: make([]schedule.Arrival, 0, 16), key: -1}
}

// read makes buf hold at least n pending arrivals, if the schedule has them.
func (l *lookahead) read(n int) {
	if l.head == len(l.buf) {
		l.buf, l.head = l.buf[:0], 0
	}
	for !l.done && len(l.buf)-l.head < n {
		if len(l.buf) == cap(l.buf) && l.head > 0 { // reuse the room of the dispatched ones
			l.buf, l.head = l.buf[:copy(l.buf, l.buf[l.head:])], 0
		}
		a, ok := l.s.Next()
		if !ok {
			l.done = true
			return
		}
		l.buf = append(l.buf, a)
	}
}

// peek returns the next arrival; false when the schedule is over.
func (l *lookahead) peek() (schedule.Arrival, bool) {
	l.read(1)
	if l.head == len(l.buf) {
		return schedule.Arrival{}, false
	}
	return l.buf[l.head], true
}

// pop drops the next arrival (after peek returned it).
func (l *lookahead) pop() { l.head++ }

// wake returns when to wake for the next arrival (peek must have returned
// one) with the given slack: the intended time of the last arrival within
// slack of it, at most maxGroup arrivals on.
func (l *lookahead) wake(slack time.Duration) time.Duration {
	first := l.buf[l.head]
	if slack <= 0 {
		return first.At
	}
	if first.Seq == l.key {
		return l.wakes
	}
	w := first.At
	for i := 1; i < maxGroup; i++ {
		l.read(i + 1)
		if l.head+i >= len(l.buf) || l.buf[l.head+i].At > first.At+slack {
			break
		}
		w = l.buf[l.head+i].At
	}
	l.key, l.wakes = first.Seq, w
	return w
}
