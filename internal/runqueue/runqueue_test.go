package runqueue

import (
	"os"
	"runtime"
	"sync"
	"testing"
	"time"
)

// TestWaitGrows: with more busy threads than processors for a while,
// some thread waits for a processor, so the total grows; it never shrinks.
func TestWaitGrows(t *testing.T) {
	w0, ok := Wait()
	if !ok {
		t.Skip("the kernel does not report schedstat here")
	}
	// More processes' worth of threads than the machine has processors:
	// the kernel must queue some.
	n := 2 * runtime.NumCPU()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n))
	// Unlocked at the end, so the threads live on: a goroutine that ends
	// locked ends its thread, whose wait then leaves the sum (TestWaitOf,
	// next, once read less than this test's total).
	spinThreads(n, time.Now().Add(200*time.Millisecond), true)()
	w1, ok := Wait()
	if !ok || w1 <= w0 {
		t.Errorf("run-queue wait %s then %s (%v) with %d threads spinning on %d processors", w0, w1, ok, n, runtime.NumCPU())
	}
}

// TestWaitOf: this process read by its pid is this process.
func TestWaitOf(t *testing.T) {
	w0, ok := Wait()
	if !ok {
		t.Skip("the kernel does not report schedstat here")
	}
	w, ok := WaitOf(os.Getpid())
	if !ok || w < w0 {
		t.Errorf("WaitOf(self) %s (%v), below Wait %s read before it", w, ok, w0)
	}
	if _, ok := WaitOf(-1); ok {
		t.Error("WaitOf(-1) claims a figure")
	}
}

// TestMeterKeepsEndedThreads: n threads spin for d on fewer processors
// and end (their goroutines end locked to them). They were runnable for
// n·d in all and could run for at most NumCPU·d, so they waited at least
// (n − NumCPU)·d; the Meter, which keeps an ended thread's last reading,
// see at least half of that (the threads start one after another, and
// each loses its last period) more than Wait's difference, which drops
// them (the other threads' waits are in both).
func TestMeterKeepsEndedThreads(t *testing.T) {
	if _, ok := Wait(); !ok {
		t.Skip("the kernel does not report schedstat here")
	}
	procs := runtime.NumCPU()
	n, d := 2*procs, 300*time.Millisecond
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n + 1))
	w0, _ := Wait()
	m := Start()
	spinThreads(n, time.Now().Add(d), false)() // the threads end with their goroutines
	time.Sleep(3 * MeterPeriod)                // the threads have ended
	got, ok := m.Stop()
	w1, _ := Wait()
	least := time.Duration(n-procs) * d / 2
	t.Logf("meter %s, Wait's difference %s, least %s (%d threads, %d processors)", got, w1-w0, least, n, procs)
	if !ok || got-(w1-w0) < least {
		t.Errorf("meter %s (%v), Wait's difference %s: want the meter %s more at least, %d threads spun %s on %d processors and ended",
			got, ok, w1-w0, least, n, d, procs)
	}
	if again, _ := m.Stop(); again != got {
		t.Errorf("a second Stop read %s, the first %s", again, got)
	}
}

// TestThread: a thread that spins among more spinning threads than there
// are processors waits for one, and Thread, read on it before and after,
// grows; it is one thread's part of Wait.
func TestThread(t *testing.T) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	w0, ok := Thread()
	if !ok {
		t.Skip("the kernel does not report schedstat here")
	}
	n := 2 * runtime.NumCPU()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(n + 1))
	end := time.Now().Add(200 * time.Millisecond)
	wait := spinThreads(n, end, true)
	for time.Now().Before(end) {
	}
	wait()
	w1, ok := Thread()
	all, _ := Wait()
	if !ok || w1 <= w0 || w1 > all {
		t.Errorf("this thread's wait %s then %s (%v), the process's %s: %d threads spun beside it on %d processors", w0, w1, ok, all, n, runtime.NumCPU())
	}
}

// spinThreads starts n goroutines, each locked to a thread of its own
// (competing in the kernel's run queue), spinning until end; keep unlocks
// them at the end so the threads live on, else they end with the
// goroutines. It returns a wait for them.
func spinThreads(n int, end time.Time, keep bool) (wait func()) {
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread()
			if keep {
				defer runtime.UnlockOSThread()
			}
			for time.Now().Before(end) {
			}
		}()
	}
	return wg.Wait
}
