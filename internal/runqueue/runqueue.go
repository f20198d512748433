package runqueue

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Wait is how long, in total, this process's threads have been runnable
// but waiting for a processor (the second field of
// /proc/self/task/*/schedstat), and false where the kernel does not say.
// A thread that ends takes its wait out of the sum: compare readings
// between which no thread ended (Go keeps its threads, unless a goroutine
// ends with its thread locked, as a run's recorder thread does), or use a
// Meter.
func Wait() (time.Duration, bool) { return of("self") }

// Thread is Wait for the calling thread alone (/proc/thread-self): its
// goroutine must be locked to it (runtime.LockOSThread) for two readings
// to be of one thread.
func Thread() (time.Duration, bool) {
	b, err := os.ReadFile("/proc/thread-self/schedstat")
	if err != nil {
		return 0, false
	}
	fields := strings.Fields(string(b))
	if len(fields) < 2 {
		return 0, false
	}
	ns, err := strconv.ParseInt(fields[1], 10, 64)
	return time.Duration(ns), err == nil
}

// WaitOf is Wait for process pid (a server a test started, say).
func WaitOf(pid int) (time.Duration, bool) { return of(strconv.Itoa(pid)) }

func of(proc string) (time.Duration, bool) {
	waits, ok := threads(proc)
	var sum int64
	for _, ns := range waits {
		sum += ns
	}
	return time.Duration(sum), ok
}

// threads reads the run-queue wait (ns) of each thread of proc, by
// thread id; false where the kernel does not say.
func threads(proc string) (map[string]int64, bool) {
	stats, _ := filepath.Glob("/proc/" + proc + "/task/*/schedstat")
	if len(stats) == 0 {
		return nil, false
	}
	waits := make(map[string]int64, len(stats))
	for _, f := range stats {
		b, err := os.ReadFile(f)
		if err != nil {
			continue // the thread ended meanwhile
		}
		fields := strings.Fields(string(b))
		if len(fields) < 2 {
			return nil, false
		}
		ns, err := strconv.ParseInt(fields[1], 10, 64)
		if err != nil {
			return nil, false
		}
		waits[filepath.Base(filepath.Dir(f))] = ns
	}
	return waits, true
}
