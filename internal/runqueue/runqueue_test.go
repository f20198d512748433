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
	var wg sync.WaitGroup
	end := time.Now().Add(200 * time.Millisecond)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			runtime.LockOSThread() // threads of their own, competing in the kernel's run queue
			// Unlocked at the end, so the threads live on: a goroutine that
			// ends locked ends its thread, whose wait then leaves the sum
			// (TestWaitOf, next, once read less than this test's total).
			defer runtime.UnlockOSThread()
			for time.Now().Before(end) {
			}
		}()
	}
	wg.Wait()
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
