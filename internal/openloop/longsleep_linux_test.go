package openloop

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestLoopSplitsLongSleeps: the event loop takes a long sleep in two
// parts, so that its sends are about as late as a short sleep's end, not
// a long one's. The seam makes the machine of the measured VM, only
// worse: a sleep of 1 ms or more ends extra (500 µs) later than asked,
// a shorter one as the kernel ends it. At 200 rps (sleeps of 5 ms) a
// loop that slept to each deadline would send every request at least
// extra late. With the two parts, once the lead is learnt, only the
// first part pays it. The seam replaces only the sleeps, so the loop
// sleeps past responses as it does outside tests: one sleep per send.
//
// The bound comes from the run itself: the seam measures how late the
// short sleeps ended (the second parts), and the sends' median lag must
// be under their median plus half of extra. A loop that slept whole
// would be at least extra late, so it fails the bound unless short sleeps
// themselves came over extra/2 = 250 µs late at the median. The first
// ~30 long sleeps teach the lead, so 400 arrivals leave the median clear.
func TestLoopSplitsLongSleeps(t *testing.T) {
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	const extra, long = 500 * time.Microsecond, time.Millisecond
	real := realSys(false)
	sys := real
	var shortLate []time.Duration // the loop's own thread calls the seam: no lock
	var longs int
	sys.epollPwait2 = func(epfd int, ev []unix.EpollEvent, ts *unix.Timespec) (int, error) {
		if ts == nil {
			return real.epollPwait2(epfd, ev, ts)
		}
		asked := time.Duration(ts.Nano())
		if asked >= long {
			longs++
			late := unix.NsecToTimespec(int64(asked + extra))
			ts = &late
		}
		start := time.Now()
		n, err := real.epollPwait2(epfd, ev, ts)
		if asked < long && asked > 0 && n == 0 && err == nil {
			shortLate = append(shortLate, time.Since(start)-asked)
		}
		return n, err
	}
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {})
	segs := []schedule.Segment{{Duration: 2 * time.Second, From: 200, To: 200}}
	rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, kind: schedule.Uniform, mode: "loop", slack: SlackAuto, hooks: &loopHooks{sys: &sys, sleepsOnly: true}})
	checkConservation(t, rec)
	if rec.Total.Completed != 400 || rec.Total.ErrorCount() != 0 {
		t.Fatalf("%d completed, %d errors; want 400 and none", rec.Total.Completed, rec.Total.ErrorCount())
	}
	if len(shortLate) == 0 {
		t.Fatalf("no short sleep ended by its timeout in %d long ones: the long sleeps were taken whole", longs)
	}
	lag := time.Duration(rec.Total.SendLag.P50 * 1e9)
	short := quantile(shortLate, 0.5)
	t.Logf("send lag p50 %v, p99 %v; %d long sleeps, %d short ones ended by their timeout, late by %v at the median",
		lag, time.Duration(rec.Total.SendLag.P99*1e9), longs, len(shortLate), short)
	if lag >= short+extra/2 {
		t.Errorf("send lag p50 %v, want under %v (the short sleeps' median lateness) + %v: the loop slept to its deadlines whole", lag, short, extra/2)
	}
}
