package openloop

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// niceThreads counts this process's threads at nice 19 (/proc's stat,
// field 19; the name in field 2 has no spaces here), apart from the main
// thread: a locked goroutine that ends on it does not end it, the runtime
// parks it for good instead (runtime.mexit: "just wedge it"), so nothing
// runs on it again at that priority.
func niceThreads(t *testing.T) int {
	t.Helper()
	stats, err := filepath.Glob("/proc/self/task/*/stat")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	main := fmt.Sprintf("/proc/self/task/%d/stat", os.Getpid())
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil || p == main {
			continue // the thread ended meanwhile, or the main one
		}
		if f := strings.Fields(string(b)); len(f) > 18 && f[18] == "19" {
			n++
		}
	}
	return n
}

// TestFinalizerInBackground: the recorder's finalizer runs on a thread of
// its own at nice 19 while it lives, and that thread ends with it (no
// other goroutine inherits the priority). Run it a few times: the
// finalizer may start on the main thread, which the count leaves out.
func TestFinalizerInBackground(t *testing.T) {
	seen := false
	for i := 0; i < 5; i++ {
		before := niceThreads(t)
		r := &recorder{finals: make(chan *acc)}
		done := make(chan struct{})
		go r.finalizer(done)
		deadline := time.Now().Add(50 * time.Millisecond) // the goroutine only has to start
		for !seen && niceThreads(t) == before && time.Now().Before(deadline) {
			time.Sleep(time.Millisecond)
		}
		seen = seen || niceThreads(t) > before
		close(r.finals)
		<-done
		deadline = time.Now().Add(5 * time.Second) // the runtime ends a locked thread as its goroutine exits
		for niceThreads(t) != before {
			if time.Now().After(deadline) {
				t.Fatalf("%d threads at nice 19 after the finalizer ended, %d before", niceThreads(t), before)
			}
			time.Sleep(time.Millisecond)
		}
	}
	if !seen {
		t.Error("the finalizer never ran at nice 19 in five starts")
	}
}
