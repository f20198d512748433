package schedule

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestExplicit(t *testing.T) {
	ms := time.Millisecond
	times := []time.Duration{0, 0, 5 * ms, 999 * ms, 1000 * ms, 2500 * ms}
	s, err := NewExplicit(times, time.Second, Shard{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Stages() != 3 || s.Duration() != 3*time.Second || Explicit.String() != "replay" {
		t.Fatalf("stages %d duration %s", s.Stages(), s.Duration())
	}
	wantStage := []int{0, 0, 0, 0, 1, 2}
	for i := range times {
		a, ok := s.Next()
		if !ok || a.Seq != int64(i) || a.At != times[i] || a.Stage != wantStage[i] {
			t.Fatalf("arrival %d = %+v %v", i, a, ok)
		}
	}
	if _, ok := s.Next(); ok {
		t.Fatal("arrival past the end")
	}
	// Window rates: 4, 1 and 1 arrivals in 1 s windows.
	for i, want := range []float64{4, 1, 1} {
		if r, st := s.RateAt(time.Duration(i)*time.Second + 500*ms); r != want || st != i {
			t.Errorf("RateAt stage %d = %g %d, want %g", i, r, st, want)
		}
	}
	if e := s.Expected(0, 1000*ms); e != 4 {
		t.Errorf("Expected first window = %g", e)
	}
	if e := s.Expected(3*ms, 2600*ms); e != 4 {
		t.Errorf("Expected(3ms, 2.6s) = %g, want 4", e)
	}
	if n, ok := s.Arrivals(); n != 6 || !ok {
		t.Errorf("Arrivals = %d %v", n, ok)
	}
	// A log that ends inside a window: 100 arrivals 10 ms apart (0 to
	// 990 ms) in 10 s stages offer 100/s over the 1 s they span (the last
	// stage ends one mean gap after the last arrival), not 10/s over 10 s.
	even := make([]time.Duration, 100)
	for i := range even {
		even[i] = time.Duration(i) * 10 * ms
	}
	if s, err = NewExplicit(even, 10*time.Second, Shard{}); err != nil {
		t.Fatal(err)
	}
	if r, _ := s.RateAt(500 * ms); s.Stages() != 1 || s.Duration() != time.Second || r != 100 {
		t.Errorf("a 1 s log in 10 s stages: %d stages, %s, %g/s; want 1, 1s, 100/s", s.Stages(), s.Duration(), r)
	}
	// All at once: no gap to go by, the whole window.
	if s, err = NewExplicit([]time.Duration{0, 0, 0}, time.Second, Shard{}); err != nil || s.Duration() != time.Second {
		t.Errorf("three arrivals at 0: %v %v", s.Duration(), err)
	}
}

// TestExplicitShards: the shards take disjoint index sets whose union is
// the plan, each arrival at its own time.
func TestExplicitShards(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	times := make([]time.Duration, 1000)
	for i := 1; i < len(times); i++ {
		times[i] = times[i-1] + time.Duration(r.IntN(int(20*time.Millisecond)))
	}
	seen := map[int64]bool{}
	for i := 1; i <= 3; i++ {
		s, err := NewExplicit(times, 2*time.Second, Shard{Index: i, Count: 3})
		if err != nil {
			t.Fatal(err)
		}
		for a, ok := s.Next(); ok; a, ok = s.Next() {
			if seen[a.Seq] || a.At != times[a.Seq] || a.Seq%3 != int64(i-1) {
				t.Fatalf("shard %d arrival %+v", i, a)
			}
			seen[a.Seq] = true
		}
	}
	if len(seen) != len(times) {
		t.Errorf("shards saw %d of %d arrivals", len(seen), len(times))
	}
}

func TestExplicitErrors(t *testing.T) {
	s := time.Second
	for _, tt := range []struct {
		times []time.Duration
		stage time.Duration
		shard Shard
	}{
		{nil, s, Shard{}},
		{[]time.Duration{1, 0}, s, Shard{}},
		{[]time.Duration{-1}, s, Shard{}},
		{[]time.Duration{0}, 0, Shard{}},
		{[]time.Duration{0}, s, Shard{Index: 3, Count: 2}},
		{[]time.Duration{0, 200_000 * s}, s, Shard{}},
	} {
		if _, err := NewExplicit(tt.times, tt.stage, tt.shard); err == nil {
			t.Errorf("NewExplicit(%v, %s, %v) accepted", tt.times, tt.stage, tt.shard)
		}
	}
}

// TestArrivalsUniform: the count Arrivals announces is the count Next
// yields, for whole and fractional totals.
func TestArrivalsUniform(t *testing.T) {
	for _, segs := range [][]Segment{
		{{Duration: time.Second, From: 100, To: 100}},
		{{Duration: 1500 * time.Millisecond, From: 3, To: 3}},
		{{Duration: time.Second, From: 10, To: 30}, {Duration: 333 * time.Millisecond, From: 7, To: 7}},
	} {
		s, _ := New(segs, Uniform, nil, 0, Shard{})
		want, ok := s.Arrivals()
		var n int64
		for _, more := s.Next(); more; _, more = s.Next() {
			n++
		}
		if !ok || n != want {
			t.Errorf("%+v: Arrivals %d, Next gave %d", segs, want, n)
		}
	}
	p, _ := New([]Segment{{Duration: time.Second, From: 1, To: 1}}, Poisson, NewRand(1), 1, Shard{})
	if _, ok := p.Arrivals(); ok {
		t.Error("Poisson count known before the run")
	}
}

// TestPlanArrivals: the count is what the plan's shards yield together.
func TestPlanArrivals(t *testing.T) {
	segs := []Segment{{Duration: 2 * time.Second, From: 300, To: 900}}
	for _, kind := range []Kind{Uniform, Poisson} {
		n, err := PlanArrivals(segs, kind, 11)
		if err != nil {
			t.Fatal(err)
		}
		var got int64
		for i := 1; i <= 3; i++ {
			s, _ := New(segs, kind, NewRand(11), 11, Shard{Index: i, Count: 3})
			for _, ok := s.Next(); ok; _, ok = s.Next() {
				got++
			}
		}
		if got != n || n < 1000 {
			t.Errorf("%s: PlanArrivals %d, the shards yield %d", kind, n, got)
		}
	}
}
