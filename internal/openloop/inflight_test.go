package openloop

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The in-flight maxima are those of the requests' intervals [sent, end)
// in time order, whatever order the recorder hears of them in: a loop
// times a response by its kernel stamp, which may fall before a send it
// recorded first, and loops and workers report concurrently. The
// recorder is driven directly here, with the calls in a chosen order.

// call is one call to the recorder: an arrival scheduled and sent (by
// dispatcher part) or, with end set, done.
type call struct {
	at   time.Duration // when the call is made (its order)
	part int
	a    schedule.Arrival
	sent time.Duration
	end  time.Duration
	done bool
}

// replay makes the calls in the order of their at (stable), then ends the
// run, and returns the recorder; setup, if not nil, sees it first.
func replay(t *testing.T, segs []schedule.Segment, parts int, calls []call, setup func(*recorder)) *recorder {
	t.Helper()
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder(s, parts, func(s string) string { return s })
	if setup != nil {
		setup(r)
	}
	slices.SortStableFunc(calls, func(x, y call) int { return int(x.at - y.at) })
	ok := &Response{Status: 200, ServerQueue: -1, ServerService: -1}
	for _, c := range calls {
		if c.done {
			r.done(c.a, c.sent, c.end, ok, 0)
			continue
		}
		r.scheduled(c.part, c.a)
		r.sent(c.a, c.sent)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range parts {
		r.reach(p, time.Duration(1<<63-1))
	}
	r.flush()
	return r
}

// maxima is each stage's and window's in-flight maximum.
func maxima(r *recorder) (stages, windows []int64) {
	for _, a := range r.stages {
		stages = append(stages, a.maxInFlight)
	}
	for _, a := range r.windows {
		windows = append(windows, a.maxInFlight)
	}
	return stages, windows
}

// swept is what sweepMax gives for each of r's stages and windows.
func swept(r *recorder, rs []report) (stages, windows []int64) {
	for _, a := range r.stages {
		stages = append(stages, sweepMax(rs, a.start, min(a.end, r.limit)))
	}
	for _, a := range r.windows {
		windows = append(windows, sweepMax(rs, a.start, min(a.end, r.limit)))
	}
	return stages, windows
}

// TestInFlightOutOfOrder: cases where the calls' order is not the
// events' time order. One request a second for 3 s (one stage, three
// windows), each request [sent, end) as given; a done is called when
// given (calledAt), after every send called before it.
func TestInFlightOutOfOrder(t *testing.T) {
	ms := time.Millisecond
	type req struct{ sent, end, calledAt time.Duration }
	tests := []struct {
		name    string
		reqs    [3]req // the arrivals at 0, 1 s and 2 s
		windows []int64
	}{
		// The first ends at 1.2 s by its stamp, but its end is heard at
		// 1.5 s, after the second's send at 1.3 s: they never overlap.
		{"an end stamped before a send heard first", [3]req{{0, 1200 * ms, 1500 * ms}, {1300 * ms, 1400 * ms, 1400 * ms}, {2 * time.Second, 2100 * ms, 2100 * ms}},
			[]int64{1, 1, 1}},
		// The first ends exactly at 1 s, when the second is sent: the
		// count at 1 s is 1, never 2.
		{"an end and a send at one instant", [3]req{{0, time.Second, 1100 * ms}, {time.Second, 1500 * ms, 1500 * ms}, {2 * time.Second, 2500 * ms, 2500 * ms}},
			[]int64{1, 1, 1}},
		// The first lasts through window 1, whose own request comes and
		// goes within it: window 1 starts with one in flight, reaches 2.
		{"carried into a window", [3]req{{0, 2500 * ms, 2600 * ms}, {1100 * ms, 1200 * ms, 1200 * ms}, {2 * time.Second, 2050 * ms, 2700 * ms}},
			[]int64{1, 2, 2}},
	}
	segs := []schedule.Segment{{Duration: 3 * time.Second, From: 1, To: 1}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []call
			var rs []report
			for i, q := range tt.reqs {
				a := schedule.Arrival{At: time.Duration(i) * time.Second, Seq: int64(i)}
				calls = append(calls, call{at: q.sent, a: a, sent: q.sent}, call{at: q.calledAt, a: a, sent: q.sent, end: q.end, done: true})
				rs = append(rs, report{at: a.At, sent: q.sent, end: q.end})
			}
			r := replay(t, segs, 1, calls, nil)
			st, win := maxima(r)
			if !slices.Equal(win, tt.windows) || st[0] != slices.Max(tt.windows) {
				t.Errorf("windows %v, stage %v; want windows %v, stage %d", win, st, tt.windows, slices.Max(tt.windows))
			}
			if ws, ww := swept(r, rs); !slices.Equal(ws, st) || !slices.Equal(ww, win) {
				t.Errorf("swept: stage %v windows %v; recorded %v %v", ws, ww, st, win)
			}
		})
	}
}

// TestInFlightRandomOrders: 3 dispatchers share 2 stages of uniform
// arrivals (400 and 1200 rps for 1 s each); each sends its own in order,
// up to 3 ms late, and each request lasts up to 20 ms. A send is heard
// when made; an end is heard up to 5 ms after its stamp, so the calls
// interleave out of time order. For every seed, every stage's and
// window's maximum is the intervals' swept in time order.
func TestInFlightRandomOrders(t *testing.T) {
	segs := []schedule.Segment{{Duration: time.Second, From: 400, To: 400}, {Duration: time.Second, From: 1200, To: 1200}}
	const parts = 3
	for seed := range uint64(20) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
			if err != nil {
				t.Fatal(err)
			}
			var calls []call
			var rs []report
			var last [parts]time.Duration // each dispatcher's last send
			for a, ok := s.Next(); ok; a, ok = s.Next() {
				p := int(a.Seq % parts)
				sent := max(a.At+time.Duration(rng.Int64N(int64(3*time.Millisecond))), last[p])
				last[p] = sent
				end := sent + time.Duration(rng.Int64N(int64(20*time.Millisecond)))
				heard := end + time.Duration(rng.Int64N(int64(5*time.Millisecond)))
				calls = append(calls, call{at: sent, part: p, a: a, sent: sent}, call{at: heard, a: a, sent: sent, end: end, done: true})
				rs = append(rs, report{at: a.At, sent: sent, end: end})
			}
			r := replay(t, segs, parts, calls, nil)
			st, win := maxima(r)
			ws, ww := swept(r, rs)
			if !slices.Equal(st, ws) || !slices.Equal(win, ww) {
				t.Errorf("recorded stages %v windows %v; the intervals swept in time order give %v %v", st, win, ws, ww)
			}
			if len(r.fly.pending) != 0 || r.fly.lowest() != 1<<63-1 {
				t.Errorf("after the run: %d changes held, a live request's bound %d", len(r.fly.pending), r.fly.lowest())
			}
		})
	}
}

// TestInFlightLongRequest: behind a request in flight for the whole run
// (sent at 0, ended at 4 s) 2000 rps of 1 ms requests come and go. The
// mark cannot pass the long one's send, so every change after it is held
// (pending grows with the run, 4 per ms here, as the doc says), but the
// removed bounds do not pile up: low stays within twice the live requests
// and the compaction's 2048. The maxima are still exact.
func TestInFlightLongRequest(t *testing.T) {
	segs := []schedule.Segment{{Duration: 4 * time.Second, From: 2000, To: 2000}}
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder(s, 1, func(s string) string { return s })
	ok := &Response{Status: 200, ServerQueue: -1, ServerService: -1}
	var rs []report
	var long schedule.Arrival
	maxLow := 0
	for a, more := s.Next(); more; a, more = s.Next() {
		r.scheduled(0, a)
		r.sent(a, a.At)
		if a.Seq == 0 {
			long = a
			continue
		}
		r.done(a, a.At, a.At+time.Millisecond, ok, 0)
		rs = append(rs, report{at: a.At, sent: a.At, end: a.At + time.Millisecond})
		maxLow = max(maxLow, len(r.fly.low))
	}
	held := len(r.fly.pending)
	r.done(long, 0, 4*time.Second, ok, 0)
	rs = append(rs, report{sent: 0, end: 4 * time.Second})
	r.mu.Lock()
	r.reach(0, time.Duration(1<<63-1))
	r.flush()
	r.mu.Unlock()
	if maxLow > 2048+4 {
		t.Errorf("low held up to %d bounds behind the long request, want at most about 2048", maxLow)
	}
	if held < 2*7990 {
		t.Errorf("%d changes held behind the long request, want the 2 × 7999 since its send", held)
	}
	st, win := maxima(r)
	if ws, ww := swept(r, rs); !slices.Equal(st, ws) || !slices.Equal(win, ww) || st[0] != 3 {
		t.Errorf("recorded stage %v windows %v; swept %v %v (want 3: the long one and two 1 ms ones, sent every 0.5 ms)", st, win, ws, ww)
	}
}

// TestInFlightHeldBound: with at most 16 changes held, the oldest is
// applied before its mark. Behind a request in flight for the whole run
// (every later change is newer) that is still exact and says nothing;
// ends heard 50 ms after their stamps, while a request 20 ms long is in
// flight, come before changes already applied: the maxima may be off,
// and the warning counts them.
func TestInFlightHeldBound(t *testing.T) {
	ms := time.Millisecond
	segs := []schedule.Segment{{Duration: 2 * time.Second, From: 500, To: 500}}
	tests := []struct {
		name  string
		delay time.Duration // how long after its stamp an end is heard
		long  bool          // the first request lasts the whole run
		late  bool
	}{
		{"behind a long request, in order", 0, true, false},
		{"ends heard 50 ms late", 50 * ms, false, true},
		{"unbounded: ends heard 50 ms late", 50 * ms, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
			if err != nil {
				t.Fatal(err)
			}
			var calls []call
			var rs []report
			for a, ok := s.Next(); ok; a, ok = s.Next() {
				end := a.At + 20*ms
				if tt.long && a.Seq == 0 {
					end = 2 * time.Second
				}
				calls = append(calls, call{at: a.At, a: a, sent: a.At}, call{at: end + tt.delay, a: a, sent: a.At, end: end, done: true})
				rs = append(rs, report{at: a.At, sent: a.At, end: end})
			}
			bound := func(r *recorder) { r.fly.bound = 16 }
			if strings.HasPrefix(tt.name, "unbounded") {
				bound = nil
			}
			r := replay(t, segs, 1, calls, bound)
			if forced := r.fly.forced != math.MinInt64; forced != (bound != nil) {
				t.Fatalf("changes applied before their mark: %v, want %v", forced, bound != nil)
			}
			if got := r.fly.late > 0; got != tt.late {
				t.Fatalf("%d changes out of order, want some: %v", r.fly.late, tt.late)
			}
			if w := r.fly.warning(); (w != "") != tt.late || tt.late && !strings.Contains(w, fmt.Sprintf("%d changes", r.fly.late)) {
				t.Errorf("warning %q with %d late", w, r.fly.late)
			}
			if tt.late {
				return // the maxima may be off: that is what the warning says
			}
			st, win := maxima(r)
			if ws, ww := swept(r, rs); !slices.Equal(st, ws) || !slices.Equal(win, ww) {
				t.Errorf("recorded stage %v windows %v; swept %v %v", st, win, ws, ww)
			}
		})
	}
}
