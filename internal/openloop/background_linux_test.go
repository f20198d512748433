package openloop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// niceThreads returns this process's threads at nice 19 (/proc's stat,
// field 19; the name in field 2 has no spaces here), apart from the main
// thread: a locked goroutine that ends on it does not end it, the runtime
// parks it for good instead (runtime.mexit: "just wedge it"), so nothing
// runs on it again at that priority.
func niceThreads(t *testing.T) map[string]bool {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	main := fmt.Sprintf("/proc/self/task/%d/stat", os.Getpid())
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil || p == main {
			continue // the thread ended meanwhile, or the main one
		}
		if f := strings.Fields(string(b)); len(f) > 18 && f[18] == "19" {
			out[p] = true
		}
	}
	return out
}

// TestFinalizerInBackground: the recorder's finalizer runs on a thread of
// its own at nice 19 while it lives, and that thread ends with it (no
// other goroutine inherits the priority). Threads are told apart by id:
// an earlier test's background goroutines (a stage's preopening) may
// still be ending. It runs a few times: the finalizer may start on the
// main thread, which niceThreads leaves out.
func TestFinalizerInBackground(t *testing.T) {
	seen := false
	for i := 0; i < 5 && !seen; i++ {
		before := niceThreads(t)
		r := &recorder{finals: make(chan *acc)}
		done := make(chan struct{})
		go r.finalizer(done)
		var mine string // the finalizer's thread: one at nice 19 that was not before
		for deadline := time.Now().Add(50 * time.Millisecond); mine == "" && time.Now().Before(deadline); time.Sleep(time.Millisecond) {
			for p := range niceThreads(t) {
				if !before[p] {
					mine = p
				}
			}
		}
		close(r.finals)
		<-done
		if mine == "" {
			continue
		}
		seen = true
		// The runtime ends a locked thread as its goroutine exits.
		for deadline := time.Now().Add(5 * time.Second); niceThreads(t)[mine]; time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("%s still at nice 19 after the finalizer ended", mine)
			}
		}
	}
	if !seen {
		t.Error("the finalizer never ran at nice 19 in five starts")
	}
}
