//go:build linux

package openloop

import (
	"context"
	"os"
	"runtime"
	"time"

	"golang.org/x/sys/unix"
)

// timerfdSleeper races two wake-ups for each deadline and takes the first:
//
//   - a Go timer, which is checked at every goroutine switch and so is
//     punctual while the process is busy, but fires about 1 ms late when
//     the process is idle (the netpoller rounds waits below 1 ms up);
//   - a timerfd (an hrtimer) read by a waker goroutine through the
//     netpoller, which ends within tens of µs when the process is idle but
//     is only noticed at the next netpoll when every P is busy.
//
// A stale wake-up (the loser firing later) only makes SleepUntil loop once.
//
// Wake-ups come late by a fairly steady amount (tens of µs), so the sleeper
// aims early by a running average of its own lateness and yields through
// what is left: the send lag then centres on zero instead of on the
// lateness, at the cost of yielding for about the error of the average.
//
// This is the worker pool's sleeper (https, proxies, HTTP/2, --client h1);
// the event loop, the default for plain http:// on Linux, never spins. A
// sleeper without the yield was tried: under -race on the loaded 2-CPU
// machine the net/http dispatcher then fell 130–600 ms behind its plan in
// TestStepAndSpikeRatesAtTheServer, where this one keeps up; why was not
// found in the time, so the yield stays for the workers.
type timerfdSleeper struct {
	timer *time.Timer
	fd    int
	f     *os.File
	fired chan struct{}
	lead  time.Duration // running average of the wake-up's lateness
}

// Bounds of the early aim: the lead is learnt up to maxLead, and a wake-up
// closer than spinWithin to the deadline yields until it instead of
// sleeping again.
const (
	maxLead    = 200 * time.Microsecond
	spinWithin = 100 * time.Microsecond
)

func newPreciseSleeper() Sleeper {
	fd, err := unix.TimerfdCreate(unix.CLOCK_MONOTONIC, unix.TFD_NONBLOCK|unix.TFD_CLOEXEC)
	if err != nil {
		return newTimerSleeper()
	}
	s := &timerfdSleeper{timer: time.NewTimer(time.Hour), fd: fd,
		f: os.NewFile(uintptr(fd), "timerfd"), fired: make(chan struct{}, 1)}
	s.timer.Stop()
	go s.wake()
	return s
}

// wake turns each expiry of the timerfd into a signal on fired, until the
// file is closed.
func (s *timerfdSleeper) wake() {
	var buf [8]byte
	for {
		if _, err := s.f.Read(buf[:]); err != nil {
			return
		}
		select {
		case s.fired <- struct{}{}:
		default:
		}
	}
}

func (s *timerfdSleeper) SleepUntil(ctx context.Context, t time.Time) bool {
	for {
		if ctx.Err() != nil {
			return false
		}
		now := time.Now()
		d := t.Sub(now)
		if d <= 0 {
			return true
		}
		if d <= spinWithin && d <= s.lead+10*time.Microsecond {
			runtime.Gosched() // closer than a wake-up is accurate: yield to the workers
			continue
		}
		aim := d - s.lead
		spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(aim))}
		if unix.TimerfdSettime(s.fd, 0, &spec, nil) != nil {
			return newTimerSleeper().SleepUntil(ctx, t)
		}
		s.timer.Reset(aim)
		select {
		case <-s.fired:
			s.timer.Stop()
		case <-s.timer.C:
		case <-ctx.Done():
			s.timer.Stop()
			return false
		}
		// Learn the lateness: how long after the aimed instant we woke.
		late := time.Since(now) - aim
		late = min(max(late, 0), maxLead)
		s.lead += (late - s.lead) / 16
	}
}

func (s *timerfdSleeper) Close() {
	s.timer.Stop()
	s.f.Close() // ends the waker
}
