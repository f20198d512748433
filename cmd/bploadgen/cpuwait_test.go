package main

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/runqueue"
)

// cpuWait is runqueue.Wait: the process's run-queue wait so far.
func cpuWait() (time.Duration, bool) { return runqueue.Wait() }

// waitMeter measures the process's run-queue wait across part of a test.
type waitMeter struct {
	w0    time.Duration
	known bool
}

func startWait() waitMeter {
	w, ok := cpuWait()
	return waitMeter{w, ok}
}

// waited is the run-queue wait since startWait, and whether it is known.
func (m waitMeter) waited() (time.Duration, bool) {
	w1, ok := cpuWait()
	return w1 - m.w0, ok && m.known
}

// starvedOr decides a run whose premise (the generator keeps up) the run's
// own figures say was broken: the generator was late by late. When the
// process waited at least that long for a processor the machine starved
// it, and the test skips with the figures (what); when it waited less the
// generator is late by its own doing, and the test fails.
func starvedOr(t *testing.T, m waitMeter, late time.Duration, what string) {
	t.Helper()
	wait, known := m.waited()
	if !known {
		t.Skipf("%s; the generator was late by %s, and the kernel does not say how long the process waited for a processor", what, late)
	}
	if wait < late {
		t.Fatalf("%s; the generator was late by %s while the process waited only %s for a processor: behind its plan by its own doing", what, late, wait)
	}
	t.Skipf("%s; the generator was late by %s, the process waiting %s for a processor: the machine starved the generator, the check says nothing", what, late, wait)
}

// generatorBehind is how late the generator was in a capacity probe whose
// note says it fell behind (or did not deliver the rate) — the product's
// own "the verdict may be the generator's" — as its send lag p99; false
// when the probe says the generator kept up.
func generatorBehind(p result.CapacityProbe) (time.Duration, bool) {
	if !strings.Contains(p.Note, "the generator fell behind its schedule here") && !strings.Contains(p.Note, "the generator did not deliver this rate") {
		return 0, false
	}
	return time.Duration(p.Stage.SendLag.P99 * float64(time.Second)), true
}
