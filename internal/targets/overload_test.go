package targets

import (
	"net/http"
	"testing"
	"time"
)

// TestUnboundedGrowsRejectStaysBounded is the seed lesson of backpressure:
// the same overload (λ = 600/s against c/E[S] = 4/10 ms = 400/s, ρ = 1.5,
// Poisson, 1 s) on a server without admission control and on one with 4
// queue slots, driven by the tests' own net/http client (the engine's view
// is TestEngineUnboundedVsReject). Unbounded: nothing is rejected and the
// latency grows with the backlog, at about (ρ − 1)·t = t/2
// (checkUnboundedGrowth, in fifths of the run). Reject (K = 8): the
// admitted wait stays below one service and at least the conservation
// floor is shed, about 1 − 1/ρ = 1/3 (checkRejectBounds). The bounds are
// exact, from the run's own measurements, so the test needs no retry on a
// busy machine.
func TestUnboundedGrowsRejectStaysBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("load test")
	}
	const c, queue = 4, 4
	sched := poissonSchedule(600, time.Second, 7)
	run := func(t *testing.T, p Policy) []req {
		srv, err := Start(Config{Workers: c, Queue: queue, Policy: p, Service: mustDist(t, "det:10ms")})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		shots := fire(t, srv.URL(), sched)
		checkBookkeeping(t, srv, shots)
		return shotReqs(t, shots)
	}
	t.Run("unbounded", func(t *testing.T) {
		checkUnboundedGrowth(t, run(t, Unbounded), c, 200*time.Millisecond, 5)
	})
	t.Run("reject", func(t *testing.T) {
		if checkRejectBounds(t, run(t, Reject), c, queue) == 0 {
			t.Error("nothing was shed at ρ = 1.5")
		}
	})
}

// shotReqs converts the test client's records, with their Server-Timing.
func shotReqs(t *testing.T, shots []shot) []req {
	t.Helper()
	out := make([]req, len(shots))
	for i, s := range shots {
		out[i] = req{at: s.sched, sent: s.sent, end: s.done, status: s.status}
		if s.status == http.StatusOK {
			tm, ok := parseServerTiming(s.timing)
			if !ok {
				t.Fatalf("bad Server-Timing %q", s.timing)
			}
			out[i].queue = time.Duration(tm["queue"] * float64(time.Second))
			out[i].svc = time.Duration(tm["svc"] * float64(time.Second))
		}
	}
	return out
}
