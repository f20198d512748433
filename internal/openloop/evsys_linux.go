//go:build linux

package openloop

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// loopSys is the system calls of the event loop that a test may replace:
// waiting for events and reading a connection. Each loop holds its own
// (no global state); realSys is what a run uses.
type loopSys struct {
	// epollWait is epoll_wait(2): msec −1 blocks, 0 polls.
	epollWait func(epfd int, events []unix.EpollEvent, msec int) (int, error)
	// epollPwait2 is epoll_pwait2(2) with a nanosecond timeout (nil: none);
	// unix.ENOSYS where the kernel lacks it (before 5.11).
	epollPwait2 func(epfd int, events []unix.EpollEvent, timeout *unix.Timespec) (int, error)
	// read is read(2) on a connection.
	read func(fd int, p []byte) (int, error)
}

func realSys() loopSys {
	return loopSys{epollWait: unix.EpollWait, epollPwait2: epollPwait2, read: unix.Read}
}

func epollPwait2(epfd int, events []unix.EpollEvent, timeout *unix.Timespec) (int, error) {
	r, _, errno := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(unsafe.Pointer(timeout)), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// loopHooks is the event loop's test seam (Engine.hooks; nil in real
// runs): system calls to use instead of the real ones, and callbacks that
// let a test see what the loop decided.
type loopHooks struct {
	sys *loopSys // nil: realSys
	// readYield is called when one wake's reads of connection fd stopped
	// because they reached readBudget (n bytes read), not because the
	// socket was drained.
	readYield func(fd, n int)
	// woke is called after each sleep (a wait that may block) with the
	// number of events that ended it (0: it timed out, a deadline woke the
	// loop; with kernel timestamps, responses are not among the events).
	woke func(events int)
}
