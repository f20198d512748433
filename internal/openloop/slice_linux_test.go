package openloop

import (
	"context"
	"net/http"
	"runtime"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// sliceOf is thread tid's time slice as the kernel reports it (ns), and
// whether the thread still exists.
func sliceOf(tid int) (uint64, bool) {
	a, err := unix.SchedGetAttr(tid, 0)
	if err != nil {
		return 0, false
	}
	return a.Runtime, true
}

// customSlices says whether this kernel takes a thread's own time slice
// (EEVDF, 6.12 and later): it sets one on a locked thread, reads it
// back and puts it back.
func customSlices(t *testing.T) bool {
	t.Helper()
	ok := make(chan bool)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		restore := shortSlice()
		got, _ := sliceOf(0)
		restore()
		back, _ := sliceOf(0)
		if got == uint64(loopSlice) && back == uint64(loopSlice) {
			t.Error("shortSlice's restore left the slice at loopSlice")
		}
		ok <- got == uint64(loopSlice)
	}()
	return <-ok
}

// TestLoopShortSlice: the event loop's thread runs with loopSlice as its
// time slice while it runs the loop (read on that thread, from the seam
// around its timed sleeps), and the thread has its old slice back after
// the run, when the runtime may give it to any goroutine.
func TestLoopShortSlice(t *testing.T) {
	if !customSlices(t) {
		t.Skip("this kernel keeps no per-thread time slice (EEVDF custom slices: Linux 6.12+)")
	}
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {})
	var mu sync.Mutex
	seen := map[uint64]int{} // slices read in the loop, and how often
	tid := 0
	real := realSys(false)
	sys := real
	sys.epollPwait2 = func(epfd int, ev []unix.EpollEvent, ts *unix.Timespec) (int, error) {
		s, _ := sliceOf(0)
		mu.Lock()
		seen[s]++
		tid = unix.Gettid()
		mu.Unlock()
		return real.epollPwait2(epfd, ev, ts)
	}
	segs := []schedule.Segment{{Duration: 100 * time.Millisecond, From: 500, To: 500}}
	rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, mode: "loop", hooks: &loopHooks{sys: &sys}})
	checkConservation(t, rec)
	mu.Lock()
	defer mu.Unlock()
	if len(seen) != 1 || seen[uint64(loopSlice)] == 0 {
		t.Errorf("slices read in the loop's timed sleeps (ns: times) %v, want only %d", seen, loopSlice)
	}
	if s, alive := sliceOf(tid); alive && s == uint64(loopSlice) {
		t.Errorf("the loop's thread %d kept the %v slice after the run", tid, loopSlice)
	}
}
