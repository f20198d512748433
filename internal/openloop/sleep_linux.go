//go:build linux

package openloop

import (
	"context"
	"os"
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
// It sleeps to the deadline itself and never spins: a wake-up is a few tens
// of µs late, which the send lag reports, and yielding through the last
// stretch before each deadline cost more CPU than it saved in precision.
type timerfdSleeper struct {
	timer *time.Timer
	fd    int
	f     *os.File
	fired chan struct{}
}

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
		d := time.Until(t)
		if d <= 0 {
			return true
		}
		spec := unix.ItimerSpec{Value: unix.NsecToTimespec(int64(d))}
		if unix.TimerfdSettime(s.fd, 0, &spec, nil) != nil {
			return newTimerSleeper().SleepUntil(ctx, t)
		}
		s.timer.Reset(d)
		select {
		case <-s.fired:
			s.timer.Stop()
		case <-s.timer.C:
		case <-ctx.Done():
			s.timer.Stop()
			return false
		}
	}
}

func (s *timerfdSleeper) Close() {
	s.timer.Stop()
	s.f.Close() // ends the waker
}
