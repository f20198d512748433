//go:build linux

package openloop

import (
	"fmt"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/result"
)

// wait waits for events until wake (from the start; MaxInt64: none):
// epoll_pwait2's nanosecond timeout where the kernel has it (5.11+), else
// epoll_wait woken by the timerfd. It never spins: it sleeps to the
// deadline and accepts the kernel's wake-up latency (tens of µs, which the
// send lag reports), because on the measured machine a wake-up costs about
// as much CPU as a whole request and polling through the last stretch
// before a deadline cost more than it saved (bench/README.md). A sleep of
// longSleepMin or more it takes in two parts (longsleep.go): after the
// first it returns no events, and the loop sleeps the rest.
func (l *evLoop) wait(now, wake time.Duration) (int, error) {
	if wake <= now || l.again {
		l.again = false
		return l.sys.epollWait(l.epfd, l.events, 0)
	}
	set, events := l.epfd, l.events
	if l.lazy { // sleep on the wake set, then harvest the main one
		set, events = l.wfd, l.wev[:]
	}
	aim, long := l.long.aim(now, wake) // a long sleep ends early, and sleeps the rest: longsleep.go
	n, err := l.sleep(set, events, now, aim)
	early := false
	if err == nil && aim < time.Duration(1<<63-1) && l.timedOut(events[:n]) {
		t := l.now()
		if long {
			l.long.observe(t - aim)
		} else {
			l.lat.observe(t - wake)
		}
		_ = l.p.wakeLate.RecordValue(result.ClampNS(int64(t - aim))) // wakewarn.go
		early = t < wake
	}
	if l.hooks != nil && l.hooks.woke != nil {
		if err == unix.EINTR {
			l.hooks.woke(-1)
		} else {
			l.hooks.woke(n)
		}
	}
	if early {
		return 0, nil // the first part of a long sleep: nothing is due yet
	}
	if err == unix.EINTR {
		// A signal ended the sleep (the runtime's preemption of the raw
		// wait, every 10 ms or so), perhaps at or past wake: harvest what
		// came meanwhile all the same, or the next dispatch finds the
		// connections of responses long received still busy and dials
		// new ones (TestLoopHarvestsAfterSignal).
		if !l.lazy {
			return l.sys.epollWait(l.epfd, l.events, 0)
		}
	} else if err != nil || !l.lazy {
		return n, err
	}
	l.clockPair()
	return l.sys.epollWait(l.epfd, l.events, 0)
}

// timedOut reports whether a sleep that ended with these events ended
// at its deadline: no event, or only the timerfd's (its fallback).
func (l *evLoop) timedOut(events []unix.EpollEvent) bool {
	for _, ev := range events {
		if int(ev.Fd) != l.tfd {
			return false
		}
	}
	return true
}

// sleep waits on the epoll set until wake (see wait). epoll_pwait2 is a
// raw system call (evsys_linux.go): the timerfd's fallback, where the
// kernel lacks it, costs a timerfd_settime per sleep, which on the
// measured machine cost a fifth of the CPU at 20k rps.
func (l *evLoop) sleep(set int, events []unix.EpollEvent, now, wake time.Duration) (int, error) {
	if l.pwait2 {
		var tsp *unix.Timespec
		if wake < time.Duration(1<<63-1) {
			l.ts = unix.NsecToTimespec(int64(wake - now)) // in l: no allocation per wait
			tsp = &l.ts
		}
		r, err := l.sys.epollPwait2(set, events, tsp)
		if err != unix.ENOSYS {
			return r, err
		}
		l.pwait2 = false
	}
	if wake < time.Duration(1<<63-1) {
		if err := l.arm(wake); err != nil {
			return 0, err
		}
	}
	return l.sys.epollWait(set, events, -1)
}

// arm sets the timerfd to fire at wake (from the start), unless it already does.
func (l *evLoop) arm(wake time.Duration) error {
	if wake == l.armed {
		return nil
	}
	spec := unix.ItimerSpec{Value: unix.NsecToTimespec(l.mono0 + int64(wake))}
	if err := unix.TimerfdSettime(l.tfd, unix.TFD_TIMER_ABSTIME, &spec, nil); err != nil {
		return fmt.Errorf("timerfd_settime: %w", err)
	}
	l.armed = wake
	return nil
}
