package runqueue

import (
	"sync"
	"time"
)

// Meter measures this process's run-queue wait over part of a test, the
// threads that end within it included. Wait's sum loses a thread's whole
// wait when it ends, and a run's recorder thread (openloop's finalizer,
// at nice 19, the thread that waits longest on a busy machine) ends with
// every run, its goroutine ending locked to it: across a run that waited
// long, the difference of two Waits can even be negative. A Meter reads every
// thread each period and keeps the last reading of one that ended, so it
// misses at most a period of such a thread's wait.
type Meter struct {
	mu    sync.Mutex
	base  map[string]int64 // the threads' waits at the start
	last  map[string]int64 // each thread's latest reading, ended ones kept
	ok    bool
	stop  chan struct{}
	done  chan struct{}
	total time.Duration // once stopped
}

// MeterPeriod is how often a Meter reads the threads.
const MeterPeriod = 10 * time.Millisecond

// Start begins measuring; Stop ends it.
func Start() *Meter {
	base, ok := threads("self")
	m := &Meter{base: base, last: map[string]int64{}, ok: ok, stop: make(chan struct{}), done: make(chan struct{})}
	for id, ns := range base {
		m.last[id] = ns
	}
	if !ok {
		close(m.done)
		return m
	}
	go func() {
		defer close(m.done)
		t := time.NewTicker(MeterPeriod)
		defer t.Stop()
		for {
			select {
			case <-m.stop:
				return
			case <-t.C:
				m.read()
			}
		}
	}()
	return m
}

// read takes every thread's wait now.
func (m *Meter) read() {
	waits, ok := threads("self")
	m.mu.Lock()
	defer m.mu.Unlock()
	m.ok = m.ok && ok
	for id, ns := range waits {
		m.last[id] = ns
	}
}

// Stop ends the measurement and returns the wait since Start, and false
// where the kernel does not say. Later calls return the same.
func (m *Meter) Stop() (time.Duration, bool) {
	select {
	case <-m.done:
	default:
		close(m.stop)
		<-m.done
		m.read()
		var sum int64
		for id, ns := range m.last {
			sum += ns - m.base[id] // a thread new since Start: all of its wait
		}
		m.total = time.Duration(sum)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.total, m.ok
}
