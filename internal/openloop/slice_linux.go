//go:build linux

package openloop

import (
	"time"

	"golang.org/x/sys/unix"
)

// loopSlice is the CPU time slice the event loop's thread asks the kernel
// for: the shortest it grants (Linux's EEVDF scheduler, 6.12 and later,
// clamps a thread's own slice to 0.1–100 ms; its default is 0.75 ms times
// 1 + log2 of the CPUs, 1.4 ms on the measured 2-CPU VM). A thread at the
// normal priority that wakes while another runs preempts it only when its
// slice is the shorter one; otherwise the running one keeps the CPU until
// its own slice is spent. On the measured VM the kernel's memory monitor
// (kdamond), kernel workers and the process's own threads so held the
// loop's CPU for 0.4 to 2.2 ms 23 times in a 10 s run at 2000 rps; with
// the short slice, once (`perf sched timehist`, bench/README.md). Asking
// needs no privilege; an older kernel ignores the request.
const loopSlice = 100 * time.Microsecond

// shortSlice gives the calling thread loopSlice as its time slice, if it
// runs at a normal (SCHED_OTHER or SCHED_BATCH) policy and its slice is
// longer, and returns what puts the slice back as it was; the caller holds
// the thread (runtime.LockOSThread) until then. Nothing else about the
// thread changes: the policy and nice value are read and written back as
// they were. Where the kernel refuses, it does nothing.
func shortSlice() (restore func()) {
	a, err := unix.SchedGetAttr(0, 0)
	if err != nil || (a.Policy != unix.SCHED_NORMAL && a.Policy != unix.SCHED_BATCH) ||
		(a.Runtime != 0 && a.Runtime <= uint64(loopSlice)) {
		return func() {}
	}
	was := a.Runtime // 0 before 6.12: the kernel's default
	a.Runtime = uint64(loopSlice)
	if unix.SchedSetAttr(0, a, 0) != nil {
		return func() {}
	}
	return func() {
		a.Runtime = was
		_ = unix.SchedSetAttr(0, a, 0)
	}
}
