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
//   - the in-flight maxima are exact: each stage's, each window's and the
//     total's is the most of the reports' intervals [sent, end) open at
//     once in that interval, swept in time order (checkInFlightMax),
//     however the two loops' events interleaved in reaching the recorder.
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
	checkInFlightMax(t, rec, rs)
	t.Logf("in-flight max %d, mean %.4f", rec.Total.InFlightMax, rec.Total.InFlightMean)
}

// checkInFlightMax: every stage's, window's and the total's in-flight
// maximum is that of the reports' intervals [sent, end) (sweepMax). The
// reports must be all the run's sent requests, none still in flight at
// its end.
func checkInFlightMax(t *testing.T, rec *Recording, rs []report) {
	t.Helper()
	end := rec.End
	sec := func(s float64) time.Duration { return time.Duration(math.Round(s * 1e9)) }
	if got, want := rec.Total.InFlightMax, sweepMax(rs, 0, end); got != want {
		t.Errorf("total: in-flight max %d, the reports' intervals swept in time order give %d", got, want)
	}
	for i, st := range rec.Stages {
		if got, want := st.InFlightMax, sweepMax(rs, sec(st.StartS), min(sec(st.EndS), end)); got != want {
			t.Errorf("stage %d: in-flight max %d, the reports' intervals give %d", i+1, got, want)
		}
	}
	for _, w := range rec.Timeline {
		lo := sec(w.TS)
		if got, want := w.InFlightMax, sweepMax(rs, lo, min(lo+sec(w.DurationS), end)); got != want {
			t.Errorf("window at %g s: in-flight max %d, the reports' intervals give %d", w.TS, got, want)
		}
	}
}

// sweepMax is the most intervals [sent, end) of rs open at one instant
// of [lo, hi): at lo, or at a start within (only a start raises the
// count; the count at an instant is that after all its changes). Written
// apart from the recorder's sweep: each instant is counted from scratch.
func sweepMax(rs []report, lo, hi time.Duration) int64 {
	starts := make([]time.Duration, 0, len(rs))
	ends := make([]time.Duration, 0, len(rs))
	for _, r := range rs {
		starts, ends = append(starts, r.sent), append(ends, r.end)
	}
	slices.Sort(starts)
	slices.Sort(ends)
	open := func(x time.Duration) int64 { // #{sent ≤ x} − #{end ≤ x}
		s, _ := slices.BinarySearch(starts, x+1)
		e, _ := slices.BinarySearch(ends, x+1)
		return int64(s - e)
	}
	m := open(lo)
	for _, x := range starts {
		if x > lo && x < hi {
			m = max(m, open(x))
		}
	}
	return m
}
