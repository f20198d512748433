//go:build linux

package openloop

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// background gives the calling goroutine a thread of its own at the lowest
// CPU priority (nice 19) for the rest of its life. The recorder's work
// beside the sends (compacting each finished window, opening the next
// stage's histograms) shares the CPUs with the event loop, and at nice 0
// it held the loop's CPU for up to 2.4 ms after a deadline once a second
// (perf sched timehist, 2000 rps, generator pinned to one CPU of the
// measured VM); at nice 19 the kernel runs the waking loop first. The
// thread stays locked, so it ends with the goroutine and no other
// goroutine runs at that priority.
func background() {
	runtime.LockOSThread()
	_ = unix.Setpriority(unix.PRIO_PROCESS, unix.Gettid(), 19)
}
