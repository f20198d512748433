package schedule

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// Kind is the arrival process.
type Kind int

const (
	Uniform  Kind = iota // evenly spaced at the planned rate
	Poisson              // exponential gaps at the planned rate
	Explicit             // given times (a replay): see NewExplicit
)

// ParseKind reads "uniform" or "poisson".
func ParseKind(s string) (Kind, error) {
	switch s {
	case "uniform":
		return Uniform, nil
	case "poisson":
		return Poisson, nil
	}
	return 0, fmt.Errorf("arrival must be uniform or poisson, not %q", s)
}

// String is the result's `arrival`: "uniform", "poisson" or "replay".
func (k Kind) String() string {
	switch k {
	case Poisson:
		return "poisson"
	case Explicit:
		return "replay"
	}
	return "uniform"
}

// Segment is one planned stage: the rate goes linearly from From to To
// (requests per second, both > 0) over Duration.
type Segment struct {
	Duration time.Duration
	From, To float64
}

// Shard selects the Index-th (1-based) of Count disjoint parts of the plan.
// The zero value means the whole plan.
type Shard struct{ Index, Count int }

// Arrival is one intended send.
type Arrival struct {
	Seq   int64         // index in the whole plan's stream, 0-based
	At    time.Duration // intended send time from the run's start
	Stage int           // 0-based index of the segment At falls in
}

type seg struct {
	start, end time.Duration
	from, to   float64 // rps
	lam0       float64 // Λ at start
	lam1       float64 // Λ at end
}

// Schedule yields the arrivals of a run in time order.
type Schedule struct {
	segs  []seg
	kind  Kind
	rng   *rand.Rand
	shard Shard
	salt  uint64 // keys the Poisson shard partition

	times []time.Duration // Explicit: the arrivals' times, non-decreasing

	pos   float64 // Λ-space position of the next candidate
	seq   int64   // plan index of the next candidate
	stage int
}

// New builds the schedule. rng must be non-nil for Poisson and is the only
// source of randomness; salt keys the shard partition of a Poisson stream
// (use the run's seed). Rates must be > 0 and durations > 0.
func New(segments []Segment, kind Kind, rng *rand.Rand, salt uint64, shard Shard) (*Schedule, error) {
	if len(segments) == 0 {
		return nil, fmt.Errorf("schedule: no segments")
	}
	if shard.Count == 0 && shard.Index == 0 {
		shard = Shard{1, 1}
	}
	if shard.Count < 1 || shard.Index < 1 || shard.Index > shard.Count {
		return nil, fmt.Errorf("schedule: shard %d/%d: want 1 <= I <= N", shard.Index, shard.Count)
	}
	if kind == Poisson && rng == nil {
		return nil, fmt.Errorf("schedule: poisson arrivals need a random source")
	}
	s := &Schedule{kind: kind, rng: rng, shard: shard, salt: salt}
	var t time.Duration
	var lam float64
	for i, g := range segments {
		if g.Duration <= 0 || !(g.From > 0) || !(g.To > 0) || math.IsInf(g.From, 0) || math.IsInf(g.To, 0) {
			return nil, fmt.Errorf("schedule: segment %d: rates and duration must be > 0", i+1)
		}
		l := (g.From + g.To) / 2 * g.Duration.Seconds()
		s.segs = append(s.segs, seg{start: t, end: t + g.Duration, from: g.From, to: g.To, lam0: lam, lam1: lam + l})
		t += g.Duration
		lam += l
	}
	if kind == Poisson {
		s.pos = s.rng.ExpFloat64()
	}
	return s, nil
}

// Duration is the planned length of the run.
func (s *Schedule) Duration() time.Duration { return s.segs[len(s.segs)-1].end }

// Stages is the number of segments.
func (s *Schedule) Stages() int { return len(s.segs) }

// StageBounds returns the start and end of segment i.
func (s *Schedule) StageBounds(i int) (start, end time.Duration) {
	return s.segs[i].start, s.segs[i].end
}

// RateAt is this shard's planned rate at offset t from the start, requests
// per second, and the segment t falls in (0-based; t past the end counts
// in the last). It reads only the plan, so it is safe to call while the
// schedule is being walked.
func (s *Schedule) RateAt(t time.Duration) (rate float64, stage int) {
	for stage < len(s.segs)-1 && t >= s.segs[stage].end {
		stage++
	}
	g := &s.segs[stage]
	d := (g.end - g.start).Seconds()
	x := min(max((t-g.start).Seconds(), 0), d)
	rate = g.from
	if d > 0 {
		rate += (g.to - g.from) * x / d
	}
	return rate / float64(s.shard.Count), stage
}

// Next returns the next arrival of this shard, or false when the plan is over.
func (s *Schedule) Next() (Arrival, bool) {
	for {
		a, ok := s.candidate()
		if !ok {
			return Arrival{}, false
		}
		if s.mine(a.Seq) {
			return a, true
		}
	}
}

// mine reports whether plan arrival seq belongs to this shard.
func (s *Schedule) mine(seq int64) bool {
	n := uint64(s.shard.Count)
	if n == 1 {
		return true
	}
	want := uint64(s.shard.Index - 1)
	if s.kind != Poisson {
		return uint64(seq)%n == want
	}
	return dist.Mix64(s.salt^uint64(seq)*0x9e3779b97f4a7c15)%n == want
}

// candidate returns the next arrival of the whole plan.
func (s *Schedule) candidate() (Arrival, bool) {
	if s.kind == Explicit {
		return s.explicit()
	}
	if s.kind == Uniform {
		s.pos = float64(s.seq)
	}
	for s.stage < len(s.segs) && s.pos >= s.segs[s.stage].lam1 {
		s.stage++
	}
	if s.stage >= len(s.segs) {
		return Arrival{}, false
	}
	g := &s.segs[s.stage]
	at := g.start + time.Duration(math.Round(g.invert(s.pos-g.lam0)*1e9))
	if at >= g.end { // rounding at the very edge of a segment
		at = g.end - 1
	}
	a := Arrival{Seq: s.seq, At: at, Stage: s.stage}
	s.seq++
	if s.kind == Poisson {
		s.pos += s.rng.ExpFloat64()
	}
	return a, true
}

// invert returns the time in seconds from the segment's start at which
// u arrivals are expected: the root of from·t + (to−from)·t²/(2D) = u,
// written as 2u/(from + √(from² + 2au)) with a = (to−from)/D, which is
// stable for rising, falling and constant rates.
func (g *seg) invert(u float64) float64 {
	if u <= 0 {
		return 0
	}
	d := (g.end - g.start).Seconds()
	a := (g.to - g.from) / d
	disc := g.from*g.from + 2*a*u
	if disc < 0 {
		disc = 0
	}
	return 2 * u / (g.from + math.Sqrt(disc))
}

// Expected is the planned number of this shard's arrivals in [a, b).
func (s *Schedule) Expected(a, b time.Duration) float64 {
	return (s.lambda(b) - s.lambda(a)) / float64(s.shard.Count)
}

// lambda is Λ(t) of the whole plan.
func (s *Schedule) lambda(t time.Duration) float64 {
	if t <= 0 {
		return 0
	}
	if s.kind == Explicit {
		return s.countBefore(t)
	}
	for i := range s.segs {
		g := &s.segs[i]
		if t < g.end {
			x := (t - g.start).Seconds()
			d := (g.end - g.start).Seconds()
			return g.lam0 + g.from*x + (g.to-g.from)*x*x/(2*d)
		}
	}
	return s.segs[len(s.segs)-1].lam1
}

// NewRand returns the seeded generator a run uses for its arrival process.
func NewRand(seed int64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), 0x62706c6f61646765)) // "bploadge"
}
