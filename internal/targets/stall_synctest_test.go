package targets

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestStallFreezesWorkers drives the target's handler directly inside a
// synctest bubble: the clock is fake, timers fire exactly when due and
// nothing is ever late, so the test is deterministic and never skips (the
// loopback version, TestStallOverHTTP, may skip on a starved machine).
//
// Setup: 3 workers, det:10ms service, a stall every 300 ms for 100 ms, a
// request every 5 ms from 2 ms to 577 ms (λ·E[S]/c = 2/3 between stalls;
// the last is done before the next stall at 600 ms).
// Exactly, in fake time:
//   - no request completes strictly inside the stall (300, 400] ms: every
//     worker is frozen;
//   - the requests in service when it began (sent at 292 and 297 ms) and the
//     one that took the third worker during it (302 ms) report a stall equal
//     to their service's overlap with [300, 400) ms, and svc − stall = 10 ms,
//     the work itself;
//   - a request sent during the stall completes no earlier than 400 + 10 ms;
//   - a request sent in [2, 280] ms, before any stall, is served at once:
//     latency 10 ms, queue 0, no stall.
func TestStallFreezesWorkers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv, err := New(Config{Workers: 3, Queue: 1000, Service: mustDist(t, "det:10ms"),
			StallEvery: 300 * time.Millisecond, StallFor: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		type answer struct {
			sent, done time.Duration
			code       int
			timing     string
		}
		var sched []time.Duration
		for at := 2 * time.Millisecond; at < 580*time.Millisecond; at += 5 * time.Millisecond {
			sched = append(sched, at)
		}
		answers := make([]answer, len(sched))
		start := time.Now()
		var wg sync.WaitGroup
		for i, at := range sched {
			wg.Go(func() {
				time.Sleep(at - time.Since(start))
				rec := httptest.NewRecorder()
				srv.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
				answers[i] = answer{at, time.Since(start), rec.Code, rec.Header().Get("Server-Timing")}
			})
		}
		wg.Wait()

		stallStart, stallEnd := 300*time.Millisecond, 400*time.Millisecond
		stalled := map[time.Duration]bool{}
		for _, a := range answers {
			if a.code != http.StatusOK {
				t.Fatalf("sent %v: status %d", a.sent, a.code)
			}
			tm, ok := parseServerTiming(a.timing)
			if !ok {
				t.Fatalf("sent %v: bad Server-Timing %q", a.sent, a.timing)
			}
			if a.done > stallStart && a.done <= stallEnd {
				t.Errorf("sent %v: completed at %v, inside the stall", a.sent, a.done)
			}
			// Server-Timing (in seconds here) has microsecond resolution:
			// each value is within 0.5 µs, a difference of two within 1 µs.
			const res = 1e-6
			if st := tm["stall"]; st > 0 {
				stalled[a.sent] = true
				svcStart := a.done - time.Duration(tm["svc"]*float64(time.Second))
				want := (min(a.done, stallEnd) - max(svcStart, stallStart)).Seconds()
				if d := st - want; d < -res || d > res {
					t.Errorf("sent %v: stall %.6f s, want the overlap %.6f s", a.sent, st, want)
				}
				if work := tm["svc"] - st; work < 0.010-res || work > 0.010+res {
					t.Errorf("sent %v: svc %.6f s − stall %.6f s = %.6f s of work, want 0.010", a.sent, tm["svc"], st, work)
				}
			}
			switch {
			case a.sent >= stallStart && a.sent < stallEnd:
				if a.done < stallEnd+10*time.Millisecond {
					t.Errorf("sent %v inside the stall: done at %v, before its end + one service", a.sent, a.done)
				}
			case a.sent <= 280*time.Millisecond:
				if a.done-a.sent != 10*time.Millisecond || tm["queue"] != 0 || tm["stall"] != 0 {
					t.Errorf("sent %v, before any stall: latency %v, Server-Timing %q", a.sent, a.done-a.sent, a.timing)
				}
			}
		}
		for _, at := range []time.Duration{292, 297, 302} {
			if !stalled[at*time.Millisecond] {
				t.Errorf("the request sent at %d ms reports no stall", at)
			}
		}
		if len(stalled) != 3 {
			t.Errorf("%d requests report a stall, want 3 (the c = 3 in service during it)", len(stalled))
		}
		if st := srv.Stats(); st.Served != uint64(len(sched)) || st.InFlight != 0 {
			t.Errorf("stats %+v after %d requests", st, len(sched))
		}
	})
}
