package schedule

import (
	"fmt"
	"sort"
	"time"
)

// MaxExplicit bounds the arrivals of an explicit schedule (8 bytes each).
const MaxExplicit = 50_000_000

// NewExplicit builds a schedule of given arrival times (a replay): arrival
// i is at times[i] from the start. times must be non-decreasing and >= 0;
// the schedule keeps the slice (8 bytes an arrival) and never changes it.
//
// Its stages are windows of length stage from the start; the last ends one
// mean inter-arrival gap (last time / (arrivals − 1)) after the last
// arrival, or at the next whole window if that is sooner; each window's rate is its arrivals
// divided by its length (the offered rate of the replayed traffic), held
// constant over the window. Shards take arrival i when i mod N = I−1, the
// partition of uniform arrivals, so the union of the shards is the plan.
func NewExplicit(times []time.Duration, stage time.Duration, shard Shard) (*Schedule, error) {
	if len(times) == 0 {
		return nil, fmt.Errorf("schedule: no arrivals")
	}
	if len(times) > MaxExplicit {
		return nil, fmt.Errorf("schedule: %d arrivals, at most %d", len(times), MaxExplicit)
	}
	if stage <= 0 {
		return nil, fmt.Errorf("schedule: the stage length must be > 0")
	}
	if shard.Count == 0 && shard.Index == 0 {
		shard = Shard{1, 1}
	}
	if shard.Count < 1 || shard.Index < 1 || shard.Index > shard.Count {
		return nil, fmt.Errorf("schedule: shard %d/%d: want 1 <= I <= N", shard.Index, shard.Count)
	}
	for i, t := range times {
		if t < 0 || (i > 0 && t < times[i-1]) {
			return nil, fmt.Errorf("schedule: arrival %d: times must be >= 0 and in order", i+1)
		}
	}
	last := times[len(times)-1]
	windows := int64(last/stage) + 1
	if windows > 100_000 {
		return nil, fmt.Errorf("schedule: %d stages of %s: at most 100000", windows, stage)
	}
	s := &Schedule{kind: Explicit, shard: shard, times: times}
	// The log ends one mean gap after its last arrival (when the next
	// would have come), not at the next whole window: a 5.8 s log in 10 s
	// stages offers its rate over 5.8 s, not 10.
	final := time.Duration(windows) * stage
	if n := len(times); n > 1 && last > 0 {
		final = min(final, last+last/time.Duration(n-1))
	}
	i := 0
	for w := int64(0); w < windows; w++ {
		start, end := time.Duration(w)*stage, min(time.Duration(w+1)*stage, final)
		j := i + sort.Search(len(times)-i, func(k int) bool { return times[i+k] >= end })
		rate := float64(j-i) / (end - start).Seconds()
		s.segs = append(s.segs, seg{start: start, end: end, from: rate, to: rate, lam0: float64(i), lam1: float64(j)})
		i = j
	}
	return s, nil
}

// explicit returns the next arrival of an explicit plan.
func (s *Schedule) explicit() (Arrival, bool) {
	if s.seq >= int64(len(s.times)) {
		return Arrival{}, false
	}
	at := s.times[s.seq]
	for s.stage < len(s.segs)-1 && at >= s.segs[s.stage].end {
		s.stage++
	}
	a := Arrival{Seq: s.seq, At: at, Stage: s.stage}
	s.seq++
	return a, true
}

// countBefore is the number of explicit arrivals before t.
func (s *Schedule) countBefore(t time.Duration) float64 {
	return float64(sort.Search(len(s.times), func(i int) bool { return s.times[i] >= t }))
}

// Arrivals is the number of arrivals of the whole plan, and false when it
// is not known before the run (Poisson arrivals are drawn as they go).
func (s *Schedule) Arrivals() (int64, bool) {
	switch s.kind {
	case Explicit:
		return int64(len(s.times)), true
	case Uniform:
		// Arrival i is at Λ⁻¹(i): those with i < Λ(end).
		total := s.segs[len(s.segs)-1].lam1
		n := int64(total)
		if float64(n) < total {
			n++
		}
		return n, true
	}
	return 0, false
}

// PlanArrivals is the number of arrivals of the whole plan (every shard)
// that New(segments, kind, NewRand(seed), uint64(seed), whole) yields, as
// run builds it: exact for Poisson arrivals too, by walking the seeded
// plan once (a few nanoseconds an arrival), so a data file read in order
// unique can be refused before anything is sent.
func PlanArrivals(segments []Segment, kind Kind, seed int64) (int64, error) {
	s, err := New(segments, kind, NewRand(seed), uint64(seed), Shard{})
	if err != nil {
		return 0, err
	}
	if n, ok := s.Arrivals(); ok {
		return n, nil
	}
	var n int64
	for _, ok := s.candidate(); ok; _, ok = s.candidate() {
		n++
	}
	return n, nil
}
