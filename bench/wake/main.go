// Command wake measures how late a bare thread's timed wake-ups are on
// this machine: one locked thread, a 1 ns timer slack, sleeping in
// epoll_pwait2 to each of -n deadlines -every apart (times from its start,
// as an open loop's schedule), doing nothing else. It prints the lateness
// percentiles and how many were over 250 µs and 1 ms: the floor under any
// generator's send lag here, which bench/README.md compares bploadgen's
// with. -slice asks for the shortest time slice the kernel grants, as
// bploadgen's event loop does (internal/openloop/slice_linux.go). Linux
// only.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

func now() time.Duration {
	var ts unix.Timespec
	_ = unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts)
	return time.Duration(ts.Nano())
}

func main() {
	n := flag.Int("n", 20000, "deadlines")
	every := flag.Duration("every", 500*time.Microsecond, "time between deadlines")
	slice := flag.Bool("slice", false, "ask for a 100 µs time slice (Linux 6.12+)")
	flag.Parse()
	if *n < 1 || *every <= 0 {
		fmt.Fprintln(os.Stderr, "wake: -n and -every must be > 0")
		os.Exit(2)
	}
	runtime.LockOSThread()
	_ = unix.Prctl(unix.PR_SET_TIMERSLACK, 1, 0, 0, 0)
	if *slice {
		a, err := unix.SchedGetAttr(0, 0)
		if err == nil {
			a.Runtime = uint64(100 * time.Microsecond)
			err = unix.SchedSetAttr(0, a, 0)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "wake: -slice:", err)
			os.Exit(1)
		}
	}
	ep, err := unix.EpollCreate1(0)
	if err != nil {
		fmt.Fprintln(os.Stderr, "wake:", err)
		os.Exit(1)
	}
	events := make([]unix.EpollEvent, 1)
	late := make([]time.Duration, 0, *n)
	start := now()
	for i := 1; i <= *n; i++ {
		due := start + time.Duration(i)*(*every)
		for {
			t := now()
			if t >= due {
				late = append(late, t-due)
				break
			}
			ts := unix.NsecToTimespec(int64(due - t))
			_, _, _ = unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(ep), uintptr(unsafe.Pointer(&events[0])),
				1, uintptr(unsafe.Pointer(&ts)), 0, 0)
		}
	}
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	over := func(d time.Duration) int {
		return len(late) - sort.Search(len(late), func(i int) bool { return late[i] > d })
	}
	q := func(p float64) time.Duration { return late[int(p*float64(len(late)-1))] }
	fmt.Printf("slice %v: lateness p50 %v p90 %v p99 %v p99.9 %v max %v; over 250µs %d, over 1ms %d of %d\n",
		*slice, q(0.5), q(0.9), q(0.99), q(0.999), late[len(late)-1], over(250*time.Microsecond), over(time.Millisecond), len(late))
}
