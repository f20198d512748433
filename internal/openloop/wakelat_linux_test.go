package openloop

import (
	"context"
	"net/http"
	"regexp"
	"strings"
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
		rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, mode: "loop", slack: c.slack, hooks: lateSleeps(extra)})
		checkConservation(t, rec)
		if rec.Total.Completed != 500 || rec.TimerSlack < c.lo || rec.TimerSlack > c.hi {
			t.Errorf("slack %s: %d completed, the recording's slack %v, want 500 and within [%v, %v]",
				c.name, rec.Total.Completed, rec.TimerSlack, c.lo, c.hi)
		}
	}
}

// TestLagWarningNamesItsCause: the generator-limited warning says whether
// the event loop's timed wake-ups were late too. The seam lengthens every
// timed sleep by 3 ms at 200 rps: each send is ~3 ms late because the
// wake-up was, and the warning says the machine woke the loop late, with
// a p99 of at least 3 ms. Holding the loop 3 ms in each dispatch at 500
// rps (arrivals 2 ms apart) instead keeps it behind while awake, its
// wake-ups on time or none: the warning says so.
func TestLagWarningNamesItsCause(t *testing.T) {
	const extra = 3 * time.Millisecond
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {})
	busy := &loopHooks{acquiring: func(*Engine) { time.Sleep(extra) }}
	for _, c := range []struct {
		name      string
		rate      float64
		hooks     *loopHooks
		want, not string
	}{
		{"late wake-ups", 200, lateSleeps(extra), "themselves ended late by", "while it was awake"},
		{"busy loop", 500, busy, "while it was awake", "the machine woke it late"},
	} {
		segs := []schedule.Segment{{Duration: 500 * time.Millisecond, From: c.rate, To: c.rate}}
		rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, kind: schedule.Uniform, mode: "loop", hooks: c.hooks})
		checkConservation(t, rec)
		w := strings.Join(rec.Warnings, "\n")
		t.Logf("%s: %s", c.name, w)
		if !strings.Contains(w, "the generator fell behind its schedule") || !strings.Contains(w, c.want) || strings.Contains(w, c.not) {
			t.Errorf("%s: warnings %q, want the fell-behind warning with %q and without %q", c.name, rec.Warnings, c.want, c.not)
		}
		if c.name == "late wake-ups" {
			if m := regexp.MustCompile(`late by (\S+) at p99`).FindStringSubmatch(w); m == nil {
				t.Errorf("no p99 in %q", w)
			} else if d, err := time.ParseDuration(m[1]); err != nil || d < extra {
				t.Errorf("wake-ups late by %s at p99, want at least the %s the seam added", m[1], extra)
			}
		}
	}
}

// lateSleeps is a seam that makes every timed sleep of the loop end extra
// late (its timeout lengthened by extra).
func lateSleeps(extra time.Duration) *loopHooks {
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
