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

// realSys is the real system calls; raw makes the loop's timed sleep a
// raw system call (epollPwait2Raw), which needs a spare processor.
func realSys(raw bool) loopSys {
	s := loopSys{epollWait: unix.EpollWait, epollPwait2: epollPwait2, read: unix.Read}
	if raw {
		s.epollPwait2 = epollPwait2Raw
	}
	return s
}

func epollPwait2(epfd int, events []unix.EpollEvent, timeout *unix.Timespec) (int, error) {
	r, _, errno := unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), uintptr(unsafe.Pointer(timeout)), 0, 0)
	if errno != 0 {
		return 0, errno
	}
	return int(r), nil
}

// epollPwait2Raw blocks without telling the Go scheduler (a raw system
// call): the loop's thread keeps its processor, so the runtime's monitor
// does not take it back and keep waking (every 20 µs while that goes on)
// to check on it, which on the measured machine cost more CPU per wake-up
// than the rest of the request (bench/README.md). The processor is lost to
// other goroutines meanwhile, so the loop uses it only when there is a
// spare one (runLoop); the monitor still preempts a goroutine that has
// held its processor for 10 ms, with a signal that ends the wait (EINTR;
// the loop waits again), so the collector always gets its turn.
func epollPwait2Raw(epfd int, events []unix.EpollEvent, timeout *unix.Timespec) (int, error) {
	r, _, errno := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT2, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
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
	// sleepsOnly says sys replaces only the sleeps: the loop still reads
	// with recvmsg and sleeps past responses (evstamp_linux.go), which a
	// replaced sys otherwise turns off.
	sleepsOnly bool
	// readYield is called when one wake's reads of connection fd stopped
	// because they reached readBudget (n bytes read), not because the
	// socket was drained.
	readYield func(fd, n int)
	// woke is called after each sleep (a wait that may block) with the
	// number of events that ended it (0: it timed out, a deadline woke the
	// loop; −1: a signal ended it early, EINTR, such as the runtime's
	// preemption of the raw epoll_pwait2; with kernel timestamps, responses
	// are not among the events).
	woke func(events int)
	// kept is called with the status of each response whose head and
	// body start were kept for a sample (complete).
	kept func(status int)
	// acquiring is called by dispatch before it takes a slot of the
	// in-flight bound, after the loop read the time it dispatches at.
	acquiring func(e *Engine)
}
