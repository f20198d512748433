package openloop

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// In these tests the engine runs inside a synctest bubble with TimerClock
// and an in-memory Doer: time is virtual, every request takes exactly what
// the doer says, the dispatcher is never late, and the expected numbers are
// exact, so the assertions can be too.

// sleepDoer answers 200 after d(sent-at) of virtual time.
func sleepDoer(start *time.Time, d func(at time.Duration) time.Duration) Doer {
	return doerFunc(func(ctx context.Context, _ *Scratch) Response {
		t := time.NewTimer(d(time.Since(*start)))
		defer t.Stop()
		select {
		case <-t.C:
			return Response{Status: 200, ServerQueue: -1, ServerService: -1}
		case <-ctx.Done():
			return Response{ErrClass: Classify(ctx.Err()), Err: ctx.Err(), ServerQueue: -1, ServerService: -1}
		}
	})
}

func fakeRun(t *testing.T, ctx context.Context, segs []schedule.Segment, maxInFlight int, d func(time.Duration) time.Duration) *Recording {
	t.Helper()
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	var start time.Time
	e, err := New(Config{Schedule: s, Doer: sleepDoer(&start, d), MaxInFlight: maxInFlight, Clock: TimerClock{}, Grace: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	return e.Run(ctx)
}

func near(a, b, rel float64) bool { return math.Abs(a-b) <= rel*math.Abs(b)+1e-12 }

// TestFakeClockFixedService: 100 rps for 2 s, every request takes 10 ms.
// Latency = service = 10 ms exactly (to the HDR's 0.1%), send lag 0, and
// Little's law holds exactly: L = λ·W = 100 · 0.01 = 1.
func TestFakeClockFixedService(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := fakeRun(t, context.Background(), []schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 100}}, 100,
			func(time.Duration) time.Duration { return 10 * time.Millisecond })
		checkConservation(t, rec)
		tot := rec.Total
		if tot.Scheduled != 200 || tot.Status["200"] != 200 {
			t.Fatalf("scheduled %d status %v", tot.Scheduled, tot.Status)
		}
		for _, v := range []float64{tot.Latency.P50, tot.Latency.P99, tot.Latency.Max, tot.ServiceTime.P50, tot.Latency2xx.P99} {
			if !near(v, 0.010, 0.001) {
				t.Errorf("latency/service %v, want 10 ms", v)
			}
		}
		// A lag of 0 lands in the HDR's lowest bucket, reported as its top (511 ns).
		if tot.SendLag.Max >= 1e-6 {
			t.Errorf("send lag max %v, want 0 on a fake clock", tot.SendLag.Max)
		}
		// Each request ends at the instant the next one starts; the start is
		// processed first, so the count touches 2 for no time at all.
		if !near(tot.InFlightMean, 1, 1e-9) || tot.InFlightMax > 2 || !near(tot.BusyS, 2, 1e-9) {
			t.Errorf("in flight mean %v max %d busy %v", tot.InFlightMean, tot.InFlightMax, tot.BusyS)
		}
		if len(rec.Timeline) != 2 || rec.Timeline[1].Scheduled != 100 || !near(rec.Timeline[1].InFlightMean, 1, 1e-9) {
			t.Errorf("timeline %+v", rec.Timeline)
		}
		if rec.Elapsed != 2*time.Second-10*time.Millisecond+10*time.Millisecond {
			t.Errorf("elapsed %s", rec.Elapsed)
		}
	})
}

// TestFakeClockStall: 100 rps for 2 s; requests sent during [0.5 s, 1 s)
// wait until 1 s. Their latencies run from 500 ms down to 10 ms; the
// generator keeps sending throughout (50 requests reach the stalled doer).
func TestFakeClockStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := fakeRun(t, context.Background(), []schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 100}}, 1000,
			func(at time.Duration) time.Duration {
				if at >= 500*time.Millisecond && at < time.Second {
					return time.Second - at
				}
				return time.Millisecond
			})
		checkConservation(t, rec)
		tot := rec.Total
		if tot.Sent != 200 || tot.NotSent != 0 {
			t.Fatalf("sent %d not sent %d", tot.Sent, tot.NotSent)
		}
		// 50 stalled latencies 500, 490, ..., 10 ms and 150 of 1 ms: the
		// p90 is the 180th value, i.e. the 30th of the stalled ones from the
		// top counted up: 200 − 180 = 20 above it → 500 − 20·10 = 300 ms.
		if !near(tot.Latency.Max, 0.5, 0.001) || !near(tot.Latency.P90, 0.3, 0.001) {
			t.Errorf("max %v p90 %v", tot.Latency.Max, tot.Latency.P90)
		}
		// In flight peaks at the 50 stalled requests.
		if tot.InFlightMax != 50 {
			t.Errorf("in-flight max %d, want 50", tot.InFlightMax)
		}
		// Window [0, 1 s) holds the stalled requests; window [1 s, 2 s) none.
		if rec.Timeline[0].MaxS < 0.49 || rec.Timeline[1].MaxS > 0.002 {
			t.Errorf("window max %v %v", rec.Timeline[0].MaxS, rec.Timeline[1].MaxS)
		}
	})
}

// TestFakeClockMaxInFlight: 100 rps, each request takes 1 s, at most 10 in
// flight. The first 10 (0–90 ms) are sent; the next 90 find the bound and
// are not sent; at 1.0 s the slots free up as each of the first 10 ends
// exactly when the next arrival is due... The exact schedule: request k
// (sent at 10k ms) ends at 1000+10k ms, so from 1 s on every arrival finds
// the slot the request 100 earlier just freed: but the end and the new
// arrival fall on the same instant, and the worker must first finish, so
// the count of sent requests is 10 per second of run.
func TestFakeClockMaxInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := fakeRun(t, context.Background(), []schedule.Segment{{Duration: 3 * time.Second, From: 100, To: 100}}, 10,
			func(time.Duration) time.Duration { return time.Second })
		checkConservation(t, rec)
		tot := rec.Total
		if tot.Scheduled != 300 || tot.InFlightMax != 10 {
			t.Fatalf("scheduled %d in-flight max %d", tot.Scheduled, tot.InFlightMax)
		}
		if tot.Sent < 20 || tot.Sent > 30 || tot.NotSent != 300-tot.Sent {
			t.Errorf("sent %d not sent %d", tot.Sent, tot.NotSent)
		}
		if rec.Timeline[0].Sent != 10 || rec.Timeline[0].NotSent != 90 {
			t.Errorf("first second: sent %d not sent %d", rec.Timeline[0].Sent, rec.Timeline[0].NotSent)
		}
		if !rec.GeneratorLimited() {
			t.Error("not flagged generator-limited")
		}
	})
}

// TestFakeClockInterrupt: cancelling at 0.255 s stops sending at once; the
// 10 requests planned at 0, 10, ..., 250 ms (26 of them) were scheduled; the
// ones still in flight (each takes 1 s) are abandoned after the 100 ms
// grace and counted as canceled.
func TestFakeClockInterrupt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(255*time.Millisecond, cancel)
		rec := fakeRun(t, ctx, []schedule.Segment{{Duration: 10 * time.Second, From: 100, To: 100}}, 1000,
			func(time.Duration) time.Duration { return time.Second })
		checkConservation(t, rec)
		tot := rec.Total
		if !rec.Interrupted || tot.Scheduled != 26 || tot.Errors[result.ErrCanceled] != 26 {
			t.Errorf("interrupted %v scheduled %d canceled %d", rec.Interrupted, tot.Scheduled, tot.Errors[result.ErrCanceled])
		}
		if rec.End != 255*time.Millisecond || rec.Elapsed != 355*time.Millisecond {
			t.Errorf("end %s elapsed %s", rec.End, rec.Elapsed)
		}
		// In flight was 1 at 0 ms rising to 26 at 250 ms: mean over the
		// 255 ms is Σ (255 − 10k) ms / 255 ms for k = 0..25.
		var area float64
		for k := 0; k < 26; k++ {
			area += 255 - 10*float64(k)
		}
		if !near(tot.InFlightMean, area/255, 1e-9) {
			t.Errorf("in-flight mean %v, want %v", tot.InFlightMean, area/255)
		}
	})
}

// TestFakeClockRampWindows: a ramp 100→300 rps over 2 s; windows see
// exactly Λ per second: 100 + 50 = 150 and 250 (Λ(1) = 150, Λ(2) = 400).
func TestFakeClockRampWindows(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		rec := fakeRun(t, context.Background(), []schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 300}}, 100,
			func(time.Duration) time.Duration { return time.Millisecond })
		checkConservation(t, rec)
		if rec.Timeline[0].Scheduled != 150 || rec.Timeline[1].Scheduled != 250 {
			t.Errorf("windows %d %d", rec.Timeline[0].Scheduled, rec.Timeline[1].Scheduled)
		}
		if !near(rec.Timeline[0].OfferedRPS, 150, 1e-9) || !near(rec.Stages[0].OfferedRPS, 200, 1e-9) {
			t.Errorf("offered %v %v", rec.Timeline[0].OfferedRPS, rec.Stages[0].OfferedRPS)
		}
	})
}

// TestFakeClockPoolShrinksAfterStall: a 1 s stall at 1000 rps fills the
// pool with ~1000 workers; once the target is fast again the spare ones
// retire, so the pool does not keep them (and their connections) for the
// rest of the run. The pool is seen from the doer, without touching the
// dispatcher's own count: each worker brings its own Scratch, and idle
// workers take arrivals in turn (a channel's receivers are served first
// come, first served), so the Scratches seen in the last second are the
// pool's workers.
func TestFakeClockPoolShrinksAfterStall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, _ := schedule.New([]schedule.Segment{{Duration: 5 * time.Second, From: 1000, To: 1000}}, schedule.Uniform, nil, 0, schedule.Shard{})
		var start time.Time
		var mu sync.Mutex
		late := map[*Scratch]bool{} // workers that served in [4 s, 5 s)
		d := doerFunc(func(ctx context.Context, sc *Scratch) Response {
			at := time.Since(start)
			if at >= 4*time.Second {
				mu.Lock()
				late[sc] = true
				mu.Unlock()
			}
			wait := time.Millisecond
			if at >= time.Second && at < 2*time.Second {
				wait = 2*time.Second - at
			}
			tm := time.NewTimer(wait)
			defer tm.Stop()
			select {
			case <-tm.C:
				return Response{Status: 200, ServerQueue: -1, ServerService: -1}
			case <-ctx.Done():
				return Response{ErrClass: Classify(ctx.Err()), Err: ctx.Err(), ServerQueue: -1, ServerService: -1}
			}
		})
		e, _ := New(Config{Schedule: s, Doer: d, MaxInFlight: 10000, Clock: TimerClock{}})
		start = time.Now()
		rec := e.Run(context.Background())
		checkConservation(t, rec)
		if rec.PeakWorkers < 900 {
			t.Errorf("peak workers %d, want about 1000 during the stall", rec.PeakWorkers)
		}
		// At 1000 rps with 1 ms requests at most 2 are in flight (one ends
		// as the next starts): the pool keeps at most 2·2 + 32 idle workers
		// (retireSpare) plus the 2 busy ones.
		t.Logf("peak workers %d, workers serving in the last second %d", rec.PeakWorkers, len(late))
		if n := len(late); n > 2*2+32+2 {
			t.Errorf("%d workers served in the last second, want the spares retired (at most 38)", n)
		}
	})
}

// TestRequestLog: one line per scheduled request, sent or not, whose
// latency is the value the histogram recorded.
func TestRequestLog(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var b strings.Builder
		log := NewRequestLog(&b, nil)
		s, _ := schedule.New([]schedule.Segment{{Duration: time.Second, From: 10, To: 10}}, schedule.Uniform, nil, 0, schedule.Shard{})
		var start time.Time
		e, _ := New(Config{Schedule: s, MaxInFlight: 2, Clock: TimerClock{}, OnDone: log.Record,
			Doer: sleepDoer(&start, func(time.Duration) time.Duration { return 250 * time.Millisecond })})
		start = time.Now()
		rec := e.Run(context.Background())
		if err := log.Close(); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")
		if lines[0]+"\n" != RequestLogHeader || len(lines) != 11 {
			t.Fatalf("%d lines:\n%s", len(lines), b.String())
		}
		// Lines come in completion order. Arrivals every 100 ms, 250 ms
		// each, 2 slots: 0 and 100 ms go, 200 ms finds both busy, 300 ms
		// finds the first free again, and so on.
		bySeq := map[string]string{}
		for _, l := range lines[1:] {
			bySeq[l[:strings.IndexByte(l, ',')]] = l
		}
		if bySeq["0"] != "0,1,0,0,250000000,250000000,250000000,200," || bySeq["2"] != "2,1,200000000,,,,,,not_sent" {
			t.Errorf("lines:\n%s", b.String())
		}
		var notSent int64
		for _, l := range lines[1:] {
			if strings.HasSuffix(l, "not_sent") {
				notSent++
			}
		}
		if notSent != rec.Total.NotSent {
			t.Errorf("log has %d not_sent, result %d", notSent, rec.Total.NotSent)
		}
	})
}
