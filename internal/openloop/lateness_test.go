package openloop

import (
	"context"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Guards of "latency is measured from the intended send time". In the other
// tests the generator sends on time (a send lag of exactly 0 on the fake
// clock, microseconds on loopback), so latency from the intended send and
// from the actual send coincide there and cannot tell the two apart. Here
// the generator is late on purpose.

// report is what the engine told OnDone about one sent request: the
// values the recorder was given, offsets from the run's start.
type report struct {
	at, sent, end time.Duration
	status        int
}

// reports collects OnDone calls (from any goroutine).
type reports struct {
	mu   sync.Mutex
	list []report
}

func (r *reports) onDone(a schedule.Arrival, sent, end time.Duration, resp *Response) {
	if resp == nil {
		return // not sent
	}
	r.mu.Lock()
	r.list = append(r.list, report{at: a.At, sent: sent, end: end, status: resp.Status})
	r.mu.Unlock()
}

// sorted returns the reports in plan order.
func (r *reports) sorted() []report {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]report(nil), r.list...)
	sort.Slice(out, func(i, j int) bool { return out[i].at < out[j].at })
	return out
}

// summaries are the result summaries of latency (end − intended) and
// service (end − sent) over the responses in rs, and of send lag
// (sent − intended) over all of rs, recorded exactly as the recorder
// records them.
func summaries(rs []report) (lat, svc, lag result.Summary) {
	var h [3]*hdr.Histogram
	for i := range h {
		h[i] = result.NewHistogram()
	}
	for _, r := range rs {
		if r.status != 0 {
			_ = h[0].RecordValue(result.ClampNS(int64(r.end - r.at)))
			_ = h[1].RecordValue(result.ClampNS(int64(r.end - r.sent)))
		}
		_ = h[2].RecordValue(result.ClampNS(int64(r.sent - r.at)))
	}
	return result.Summarize(h[0]), result.Summarize(h[1]), result.Summarize(h[2])
}

// lateClock is TimerClock whose sleepers oversleep: a wait until the
// offset t from *start ends at t + over(t) instead (a generator that the
// OS or the runtime did not run in time, made exact).
type lateClock struct {
	TimerClock
	start *time.Time
	over  func(t time.Duration) time.Duration
}

func (c lateClock) NewSleeper() Sleeper { return lateSleeper{c: c, in: newTimerSleeper()} }

type lateSleeper struct {
	c  lateClock
	in *timerSleeper
}

func (s lateSleeper) SleepUntil(ctx context.Context, t time.Time) bool {
	return s.in.SleepUntil(ctx, t.Add(s.c.over(t.Sub(*s.c.start))))
}

func (s lateSleeper) Close() { s.in.Close() }

// lateRun runs segs (uniform) on the fake clock with a sleeper late by
// over and a doer that takes svc(actual send offset); it returns the
// recording and the engine's per-request reports.
func lateRun(t *testing.T, segs []schedule.Segment, over, svc func(time.Duration) time.Duration) (*Recording, []report) {
	t.Helper()
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	var start time.Time
	var got reports
	e, err := New(Config{Schedule: s, Doer: sleepDoer(&start, svc), MaxInFlight: 10000,
		Clock: lateClock{start: &start, over: over}, OnDone: got.onDone})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	return rec, got.sorted()
}

// expectLate replays the dispatcher by hand: arrival k falls due at at_k;
// if it is already due when the previous one is handed out (at_k ≤ s_{k−1}:
// the dispatcher sends every due arrival on one wake-up, and virtual time
// does not pass while it works) it goes then, s_k = s_{k−1}; else the
// dispatcher sleeps for it and the sleep ends at s_k = at_k + over(at_k).
// It ends at s_k + svc(s_k).
func expectLate(t *testing.T, segs []schedule.Segment, over, svc func(time.Duration) time.Duration) []report {
	t.Helper()
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	var out []report
	var last time.Duration
	for {
		a, ok := s.Next()
		if !ok {
			return out
		}
		if a.At > last || len(out) == 0 {
			last = a.At + over(a.At)
		}
		out = append(out, report{at: a.At, sent: last, end: last + svc(last), status: 200})
	}
}

// lagWarned reports whether warnings include the send-lag warning.
func lagWarned(ws []string) bool {
	for _, w := range ws {
		if strings.Contains(w, "fell behind its schedule") {
			return true
		}
	}
	return false
}

// TestLatencyFromIntendedWhenLate: on the fake clock, 100 rps for 2 s with
// a sleeper that wakes 0, 0.7, 1.4 or 2.1 ms late in turn, and once (at
// 1 s) 250 ms late, so the 25 arrivals due in that pause all go at 1.25 s
// (a generator paused by GC or the OS). Every request takes 4–8 ms. Each
// request's send lag must be exactly its lateness, its latency exactly
// lateness + service, and the recorded histograms exactly those of the
// replayed plan; the run must be flagged generator-limited for its send lag.
func TestLatencyFromIntendedWhenLate(t *testing.T) {
	over := func(at time.Duration) time.Duration {
		if at == time.Second {
			return 250 * time.Millisecond
		}
		return time.Duration(at/(10*time.Millisecond)%4) * 700 * time.Microsecond
	}
	svc := func(sent time.Duration) time.Duration {
		return 4*time.Millisecond + sent/time.Millisecond%5*time.Millisecond
	}
	segs := []schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 100}}
	synctest.Test(t, func(t *testing.T) {
		rec, got := lateRun(t, segs, over, svc)
		want := expectLate(t, segs, over, svc)
		if len(got) != len(want) || rec.Total.NotSent != 0 {
			t.Fatalf("%d requests reported, %d planned, %d not sent", len(got), len(want), rec.Total.NotSent)
		}
		for k := range want {
			if got[k] != want[k] {
				t.Fatalf("request %d: engine reported %+v, replay says %+v", k, got[k], want[k])
			}
		}
		lat, service, lag := summaries(want)
		if lag.Max < 0.249 { // the replay itself: the pause is in it
			t.Fatalf("replayed send lag max %v, want the 250 ms pause", lag.Max)
		}
		for _, c := range []struct {
			name      string
			got, want result.Summary
		}{
			{"latency", rec.Total.Latency, lat}, {"2xx latency", rec.Total.Latency2xx, lat},
			{"service", rec.Total.ServiceTime, service}, {"send lag", rec.Total.SendLag, lag},
			{"stage latency", rec.Stages[0].Latency, lat}, {"stage send lag", rec.Stages[0].SendLag, lag},
		} {
			if c.got != c.want {
				t.Errorf("%s: recorded %+v,\nwant (lateness + service) %+v", c.name, c.got, c.want)
			}
		}
		// Windows hold requests by intended time: window 1 has the paused ones.
		for i, w := range rec.Timeline {
			var in []report
			for _, r := range want {
				if r.at/WindowLength == time.Duration(i) {
					in = append(in, r)
				}
			}
			wl, _, _ := summaries(in)
			if w.P50S != wl.P50 || w.P99S != wl.P99 || w.MaxS != wl.Max {
				t.Errorf("window %d: p50 %v p99 %v max %v, want %v %v %v", i, w.P50S, w.P99S, w.MaxS, wl.P50, wl.P99, wl.Max)
			}
		}
		if !rec.GeneratorLimited() || !lagWarned(rec.Warnings) {
			t.Errorf("send lag p99 %v: not flagged generator-limited: %q", rec.Total.SendLag.P99, rec.Warnings)
		}
	})
}

// starvedRun runs Poisson arrivals at 50 rps for d against a loopback
// server in the given mode, with one P (GOMAXPROCS 1) and an OnDone hook
// that holds the CPU for a 6 ms spin after every completion. In the event
// loop the hook runs on the loop's own thread; in worker mode the
// dispatcher, once its sleep ends, waits for the one P the spinning worker
// holds (a spin is shorter than the runtime's 10 ms preemption). Either
// way an arrival that falls due during a spin (about a quarter of them,
// 1 − e^{−50·0.006}) is sent late, by up to 6 ms: real lateness, not a
// fake clock. The spins take 30% of the time, so the starved generator
// keeps up on average even on a loaded machine.
func starvedRun(t *testing.T, mode string, d time.Duration) (*Recording, []report) {
	t.Helper()
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	srv := newArrivalServer(t, nil)
	const spin = 6 * time.Millisecond
	var got reports
	onDone := func(a schedule.Arrival, sent, end time.Duration, r *Response) {
		got.onDone(a, sent, end, r)
		for t0 := time.Now(); time.Since(t0) < spin; {
		}
	}
	rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{
		segs: []schedule.Segment{{Duration: d, From: 50, To: 50}}, kind: schedule.Poisson, seed: 11,
		mode: mode, onDone: onDone})
	checkConservation(t, rec)
	if tot := rec.Total; tot.Responses() == 0 || tot.NotSent != 0 {
		t.Fatalf("%d responses, %d not sent (errors %v): the starved run must still send and be answered",
			tot.Responses(), tot.NotSent, tot.Errors)
	}
	return rec, got.sorted()
}

// TestLatencyFromIntendedStarvedGenerator: with the generator starved of
// CPU (starvedRun) in every mode, latency must still be measured from the
// intended send time:
//   - exactly: the recorded latency histogram is that of end − intended
//     over the values the engine reported per request (OnDone gets what the
//     recorder got), service that of end − sent, send lag that of
//     sent − intended;
//   - in aggregate: mean latency = mean send lag + mean service over the
//     responses, since the identity holds request by request and means
//     add. The histograms report each value as its bucket's midpoint, off
//     by at most half a bucket: 256 ns below 1.05 ms (512 ns buckets, the
//     1 µs lowest discernible value rounded down to a power of two) and
//     v/2048 above (3 significant digits: 1024 sub-buckets per doubling).
//     So each mean is within 256 ns + mean/2048 of the exact one, and the
//     tolerance is the sum of the three.
//
// The lateness must be real: the mean send lag must exceed the tolerance
// several times over, else the run could not tell the two measures apart.
func TestLatencyFromIntendedStarvedGenerator(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			rec, rs := starvedRun(t, mode, 2*time.Second)
			tot := rec.Total
			lat, service, lag := summaries(rs)
			if tot.Latency != lat || tot.ServiceTime != service || tot.SendLag != lag {
				t.Errorf("recorded latency %+v\nservice %+v\nsend lag %+v,\nwant (from the engine's per-request reports) %+v\n%+v\n%+v",
					tot.Latency, tot.ServiceTime, tot.SendLag, lat, service, lag)
			}
			// The send lag of the requests that got a response (all of them,
			// unless a loaded machine made some time out).
			var answered []report
			for _, r := range rs {
				if r.status != 0 {
					answered = append(answered, r)
				}
			}
			_, _, lagResp := summaries(answered)
			tol := 3*256e-9 + (tot.Latency.Mean+lagResp.Mean+tot.ServiceTime.Mean)/2048
			t.Logf("%d responses, %d errors: mean latency %.1f µs, send lag %.1f µs + service %.1f µs; tolerance %.2f µs; send lag p99 %.1f µs",
				tot.Responses(), tot.ErrorCount(), tot.Latency.Mean*1e6, lagResp.Mean*1e6, tot.ServiceTime.Mean*1e6, tol*1e6, tot.SendLag.P99*1e6)
			if lagResp.Mean < 4*tol {
				t.Fatalf("mean send lag %.2f µs: the generator was not late enough to tell latency from the intended and from the actual send apart",
					lagResp.Mean*1e6)
			}
			if d := tot.Latency.Mean - (lagResp.Mean + tot.ServiceTime.Mean); math.Abs(d) > tol {
				t.Errorf("mean latency %.2f µs ≠ mean send lag + mean service %.2f µs (off by %.2f µs, tolerance %.2f µs)",
					tot.Latency.Mean*1e6, (lagResp.Mean+tot.ServiceTime.Mean)*1e6, d*1e6, tol*1e6)
			}
			if !rec.GeneratorLimited() || !lagWarned(rec.Warnings) {
				t.Errorf("send lag p99 %v (limit %v): not flagged generator-limited: %q",
					tot.SendLag.P99, LagLimit(tot.ServiceTime.Mean), rec.Warnings)
			}
		})
	}
}

// TestGeneratorLimitedWarningOnSendLag: the send-lag half of the
// generator-limited warning, with nothing not sent. On the fake clock the
// sleeper is late by a constant, so the send lag p99 is that constant
// (to 0.1%): either side of LagLimit, the larger of 1 ms and a tenth of
// the mean service time, for both branches of the max. On loopback, in
// every mode, the starved generator (starvedRun) lags by up to 6 ms; the
// p99 of 50 sends is their maximum, and the chance that none of 50 is late
// by more than 1 ms is (1 − 0.26·5/6)^50 ≈ 4e−6, against the limit of 1 ms
// that a loopback service under 10 ms gives.
func TestGeneratorLimitedWarningOnSendLag(t *testing.T) {
	tests := []struct {
		name       string
		svc, late  time.Duration
		wantWarned bool
	}{
		{"lag above svc/10", 20 * time.Millisecond, 2500 * time.Microsecond, true},
		{"lag below svc/10", 20 * time.Millisecond, 1500 * time.Microsecond, false},
		{"lag above 1ms floor", 5 * time.Millisecond, 1500 * time.Microsecond, true},
		{"lag below 1ms floor", 5 * time.Millisecond, 800 * time.Microsecond, false},
	}
	for _, tt := range tests {
		t.Run("fake/"+tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec, _ := lateRun(t, []schedule.Segment{{Duration: time.Second, From: 50, To: 50}},
					func(time.Duration) time.Duration { return tt.late },
					func(time.Duration) time.Duration { return tt.svc })
				tot := rec.Total
				if tot.NotSent != 0 || !near(tot.SendLag.P99, tt.late.Seconds(), 1e-3) {
					t.Fatalf("not sent %d, send lag p99 %v, want 0 and %v", tot.NotSent, tot.SendLag.P99, tt.late)
				}
				if rec.GeneratorLimited() != tt.wantWarned || lagWarned(rec.Warnings) != tt.wantWarned {
					t.Errorf("send lag p99 %v, limit %v: generator-limited %v, warnings %q; want %v",
						tot.SendLag.P99, LagLimit(tot.ServiceTime.Mean), rec.GeneratorLimited(), rec.Warnings, tt.wantWarned)
				}
			})
		})
	}
	for _, mode := range modes {
		t.Run("loopback/mode="+mode, func(t *testing.T) {
			rec, _ := starvedRun(t, mode, time.Second)
			tot := rec.Total
			if !rec.GeneratorLimited() || !lagWarned(rec.Warnings) {
				t.Errorf("send lag p99 %v (limit %v), nothing not sent: not flagged generator-limited: %q",
					tot.SendLag.P99, LagLimit(tot.ServiceTime.Mean), rec.Warnings)
			}
		})
	}
}
