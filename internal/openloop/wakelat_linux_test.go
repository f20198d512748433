package openloop

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestLoopLearnsWakeLatency: under SlackAuto the event loop learns its
// wake-ups' lateness as its slack. The seam makes every timed sleep end
// extra late (its timeout lengthened by extra), so every sample is at
// least extra and the learnt slack must climb to about it; the recording
// says what the run used, and a run with no slack says none.
func TestLoopLearnsWakeLatency(t *testing.T) {
	const extra = 100 * time.Microsecond
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {})
	hooks := func() *loopHooks {
		real := realSys(false)
		sys := real
		sys.epollPwait2 = func(epfd int, ev []unix.EpollEvent, ts *unix.Timespec) (int, error) {
			if ts != nil {
				late := unix.NsecToTimespec(ts.Nano() + int64(extra))
				ts = &late
			}
			return real.epollPwait2(epfd, ev, ts)
		}
		return &loopHooks{sys: &sys}
	}
	// 500 arrivals, a millisecond apart: the estimate needs about 140
	// timed wake-ups to climb from 0 to 100 µs (wakelat.go's steps).
	segs := []schedule.Segment{{Duration: 500 * time.Millisecond, From: 1000, To: 1000}}
	for _, c := range []struct {
		name   string
		slack  time.Duration
		lo, hi time.Duration
	}{
		// Settled, it sits within a few steps of the samples' median,
		// which is at least extra: 10% below allows ~6 steps of 1.6 µs.
		{"auto", SlackAuto, extra * 9 / 10, maxAutoSlack},
		{"none", 0, 0, 0},
	} {
		rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, mode: "loop", slack: c.slack, hooks: hooks()})
		checkConservation(t, rec)
		if rec.Total.Completed != 500 || rec.TimerSlack < c.lo || rec.TimerSlack > c.hi {
			t.Errorf("slack %s: %d completed, the recording's slack %v, want 500 and within [%v, %v]",
				c.name, rec.Total.Completed, rec.TimerSlack, c.lo, c.hi)
		}
	}
}
