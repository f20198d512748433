package openloop

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestLoopTimerSlack: the event loop with a 1 ms slack at 2000 rps against
// a loopback server. It stamps every arrival sent on one wake-up with the
// same send time, so the distinct send times count its wake-ups for sends:
// at most the replay's groups (a late wake-up can only merge groups), and
// no arrival is sent before its group's wake-up (never early).
func TestLoopTimerSlack(t *testing.T) {
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {})
	segs := []schedule.Segment{{Duration: time.Second, From: 2000, To: 2000}}
	wake, groups := slackWakes(t, segs, time.Millisecond)
	var got reports
	var other int // wake-ups by an event or a signal, not a deadline (the loop runs on one thread: no lock)
	hooks := &loopHooks{woke: func(n int) {
		if n != 0 {
			other++
		}
	}}
	rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, mode: "loop", slack: time.Millisecond, onDone: got.onDone, hooks: hooks})
	checkConservation(t, rec)
	rs := got.sorted()
	if len(rs) != len(wake) || rec.Total.ErrorCount() != 0 {
		t.Fatalf("%d requests for %d planned, %d errors", len(rs), len(wake), rec.Total.ErrorCount())
	}
	sends := map[time.Duration]bool{}
	for k, r := range rs {
		if r.sent < r.at {
			t.Fatalf("request %d (intended %v) sent early, at %v", k, r.at, r.sent)
		}
		sends[r.sent] = true
	}
	// Every wake-up sends what is due, so a wake-up for another reason (a
	// response, a connect, the runtime's preemption signal ending the raw
	// epoll_pwait2 about every 10 ms) may split a group: the bound is that of the plan's
	// groups plus those wake-ups, which the loop counts.
	if bound := groups + 1 + int(other); len(sends) > bound {
		t.Errorf("%d distinct send times (wake-ups), want at most the %d groups of the plan + 1 + %d other wake-ups", len(sends), groups, other)
	}
	t.Logf("%d requests on %d wake-ups (plan: %d groups); send lag p50 %.0f µs, p99 %.0f µs",
		len(rs), len(sends), groups, rec.Total.SendLag.P50*1e6, rec.Total.SendLag.P99*1e6)
}
