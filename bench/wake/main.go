// Command wake measures how late a bare thread's timed wake-ups are on
// this machine: one locked thread, a 1 ns timer slack, sleeping in
// epoll_pwait2 to each of -n deadlines -every apart (times from its start,
// as an open loop's schedule), doing nothing else. It prints the lateness
// percentiles and how many were over 250 µs and 1 ms: the floor under any
// generator's send lag here, which bench/README.md compares bploadgen's
// with. -slice asks for the shortest time slice the kernel grants, as
// bploadgen's event loop does (internal/openloop/slice_linux.go). -send
// 127.0.0.1:PORT also writes a GET on one keep-alive connection at each
// wake-up and reads what has come back without waiting (as the loop does
// with kernel receive stamps), to tell the cost of sending from the cost
// of waking. -early E takes each sleep longer than E in two parts, the
// first ending E early. Linux only.
package main

import (
	"flag"
	"fmt"
	"net/netip"
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
	send := flag.String("send", "", "127.0.0.1:PORT: also send a GET there at each wake-up")
	early := flag.Duration("early", 0, "a sleep longer than this first ends this much before its deadline, then sleeps the rest, as bploadgen's event loop does with sleeps of 2 ms or more (0: each sleep whole)")
	lateOver := flag.Duration("late-over", 0, "print each wake-up later than this (unix ns of its deadline, lateness ns) to stdout, to line up with another program's (0: none)")
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
	fd := -1
	if *send != "" {
		if fd, err = dial(*send); err != nil {
			fmt.Fprintln(os.Stderr, "wake: -send:", err)
			os.Exit(2)
		}
	}
	req := []byte("GET / HTTP/1.1\r\nHost: wake\r\n\r\n")
	buf := make([]byte, 64<<10)
	late := make([]time.Duration, 0, *n)
	sleeps := 0
	start := now()
	wall0 := time.Now().UnixNano() - int64(start) // unix ns = wall0 + a now() reading
	for i := 1; i <= *n; i++ {
		due := start + time.Duration(i)*(*every)
		for {
			t := now()
			if t >= due {
				late = append(late, t-due)
				if *lateOver > 0 && t-due > *lateOver {
					fmt.Printf("late %d %d\n", wall0+int64(due), int64(t-due))
				}
				if fd >= 0 {
					for {
						if n, _ := unix.Read(fd, buf); n <= 0 {
							break
						}
					}
					if _, err := unix.Write(fd, req); err != nil {
						fmt.Fprintln(os.Stderr, "wake: -send:", err)
						os.Exit(1)
					}
				}
				break
			}
			aim := due
			if *early > 0 && due-t > *early {
				aim = due - *early
			}
			sleeps++
			ts := unix.NsecToTimespec(int64(aim - t))
			_, _, _ = unix.Syscall6(unix.SYS_EPOLL_PWAIT2, uintptr(ep), uintptr(unsafe.Pointer(&events[0])),
				1, uintptr(unsafe.Pointer(&ts)), 0, 0)
		}
	}
	sort.Slice(late, func(i, j int) bool { return late[i] < late[j] })
	over := func(d time.Duration) int {
		return len(late) - sort.Search(len(late), func(i int) bool { return late[i] > d })
	}
	q := func(p float64) time.Duration { return late[int(p*float64(len(late)-1))] }
	fmt.Printf("slice %v, send %v: lateness p50 %v p90 %v p99 %v p99.9 %v max %v; over 250µs %d, over 1ms %d of %d; %.2f sleeps per deadline\n",
		*slice, fd >= 0, q(0.5), q(0.9), q(0.99), q(0.999), late[len(late)-1], over(250*time.Microsecond), over(time.Millisecond), len(late), float64(sleeps)/float64(len(late)))
}

// dial connects a non-blocking TCP socket to addr, which must be on
// 127.0.0.1 (the bench's rule: loopback only).
func dial(addr string) (int, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil || ap.Addr() != netip.MustParseAddr("127.0.0.1") {
		return -1, fmt.Errorf("%q: want 127.0.0.1:PORT", addr)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	if err := unix.Connect(fd, &unix.SockaddrInet4{Port: int(ap.Port()), Addr: ap.Addr().As4()}); err != nil {
		return -1, err
	}
	_ = unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
	return fd, unix.SetNonblock(fd, true)
}
