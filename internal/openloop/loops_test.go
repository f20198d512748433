package openloop

import (
	"context"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestLoopShardsPartition: the loops' shards of a shard hold its arrivals
// and no others, each once, for both processes (the partition is exact).
func TestLoopShardsPartition(t *testing.T) {
	segs := []schedule.Segment{{Duration: 2 * time.Second, From: 500, To: 1500}}
	for _, kind := range []schedule.Kind{schedule.Uniform, schedule.Poisson} {
		for _, sh := range []schedule.Shard{{}, {Index: 2, Count: 3}} {
			whole, err := schedule.New(segs, kind, schedule.NewRand(7), 7, sh)
			if err != nil {
				t.Fatal(err)
			}
			want := map[int64]schedule.Arrival{}
			for a, ok := whole.Next(); ok; a, ok = whole.Next() {
				want[a.Seq] = a
			}
			got := map[int64]schedule.Arrival{}
			for _, sub := range LoopShards(sh, 3) {
				s, err := schedule.New(segs, kind, schedule.NewRand(7), 7, sub)
				if err != nil {
					t.Fatal(err)
				}
				for a, ok := s.Next(); ok; a, ok = s.Next() {
					if _, dup := got[a.Seq]; dup || want[a.Seq] != a {
						t.Fatalf("%v shard %v: arrival %+v twice or not the shard's (%+v)", kind, sh, a, want[a.Seq])
					}
					got[a.Seq] = a
				}
			}
			if len(got) != len(want) {
				t.Errorf("%v shard %v: the loops hold %d arrivals, the shard %d", kind, sh, len(got), len(want))
			}
		}
	}
}

// TestLoopsOneRecording: two event loops send a stepped plan (1000 rps for
// 1 s, then 3000 rps for 1 s) to a server that answers after 0–2 ms, into
// one recording. Against the engine's per-request reports (OnDone):
//   - every arrival of the plan is reported exactly once, and each stage
//     scheduled exactly its planned count (the step rates);
//   - the in-flight means are exact: each stage's is the sum of the
//     requests' [sent, end) clipped to the stage, over its length (to
//     floating-point rounding);
//   - the in-flight maximum is that of the one shared count: at least
//     each loop's own maximum (its reports swept in time order: a loop
//     records its events in its own time order, and when it records its
//     peak the shared count holds all of its requests in flight and the
//     other loop's), and at most their sum (the shared count is the two
//     loops' counts added). Where in between depends on how the two loops'
//     events interleave in real time, which a loaded machine stretches
//     (a loop records a burst of catch-up sends with the time of its
//     wake-up), so the time-ordered sweep of all the reports is only
//     logged beside it.
func TestLoopsOneRecording(t *testing.T) {
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		d := time.Duration(rng.Int64N(int64(2 * time.Millisecond)))
		mu.Unlock()
		time.Sleep(d)
	})
	segs := []schedule.Segment{{Duration: time.Second, From: 1000, To: 1000}, {Duration: time.Second, From: 3000, To: 3000}}
	var got reports
	var perLoop [2]reports // uniform: loop j sends the arrivals with Seq mod 2 = j (LoopShards)
	seqs := map[int64]int{}
	onDone := func(a schedule.Arrival, sent, end time.Duration, r *Response) {
		mu.Lock()
		seqs[a.Seq]++
		mu.Unlock()
		got.onDone(a, sent, end, r)
		perLoop[a.Seq%2].onDone(a, sent, end, r)
	}
	rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, mode: "loop2", onDone: onDone})
	checkConservation(t, rec)
	if rec.Total.ErrorCount() != 0 || rec.Total.NotSent != 0 {
		t.Fatalf("errors %v, not sent %d", rec.Total.Errors, rec.Total.NotSent)
	}
	if len(seqs) != 4000 {
		t.Fatalf("%d distinct arrivals reported, plan has 4000", len(seqs))
	}
	for seq, n := range seqs {
		if n != 1 || seq < 0 || seq >= 4000 {
			t.Fatalf("arrival %d reported %d times", seq, n)
		}
	}
	if rec.Stages[0].Scheduled != 1000 || rec.Stages[1].Scheduled != 3000 {
		t.Errorf("stages scheduled %d and %d, want 1000 and 3000", rec.Stages[0].Scheduled, rec.Stages[1].Scheduled)
	}
	rs := got.sorted()
	for i, st := range rec.Stages {
		lo, hi := time.Duration(i)*time.Second, time.Duration(i+1)*time.Second
		var area float64
		for _, r := range rs {
			if a, b := max(r.sent, lo), min(r.end, hi); b > a {
				area += float64(b - a)
			}
		}
		want := area / float64(hi-lo)
		if math.Abs(st.InFlightMean-want) > 1e-9*max(want, 1) {
			t.Errorf("stage %d: in-flight mean %.9f, the reports' intervals give %.9f", i+1, st.InFlightMean, want)
		}
	}
	m0, m1 := sweepMax(perLoop[0].sorted()), sweepMax(perLoop[1].sorted())
	t.Logf("in-flight max %d: loops' own %d and %d, all the reports swept in time order %d; mean %.4f",
		rec.Total.InFlightMax, m0, m1, sweepMax(rs), rec.Total.InFlightMean)
	if got := rec.Total.InFlightMax; got < max(m0, m1) || got > m0+m1 {
		t.Errorf("in-flight max %d, want in [%d, %d] (the larger loop's own, their sum)", got, max(m0, m1), m0+m1)
	}
}

// sweepMax is the most intervals [sent, end) of rs open at once, a start
// counted before an end at the same instant (as the recorder does when a
// request starts the instant another ends).
func sweepMax(rs []report) int64 {
	type ev struct {
		t time.Duration
		d int64
	}
	var evs []ev
	for _, r := range rs {
		evs = append(evs, ev{r.sent, 1}, ev{r.end, -1})
	}
	slices.SortFunc(evs, func(a, b ev) int {
		if a.t != b.t {
			return int(a.t - b.t)
		}
		return int(b.d - a.d)
	})
	var n, m int64
	for _, e := range evs {
		n += e.d
		m = max(m, n)
	}
	return m
}
