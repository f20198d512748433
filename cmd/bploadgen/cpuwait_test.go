package main

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/runqueue"
)

// waitMeter measures the process's run-queue wait across part of a test,
// the threads that ended within it included (runqueue.Meter: each run's
// recorder thread, at nice 19, ends with it).
type waitMeter struct{ m *runqueue.Meter }

// startWait starts a waitMeter; the test's end stops it if waited did not.
func startWait(t testing.TB) waitMeter {
	m := runqueue.Start()
	t.Cleanup(func() { m.Stop() })
	return waitMeter{m}
}

// waited is the run-queue wait since startWait, and whether it is known;
// it ends the measurement (later calls return the same).
func (m waitMeter) waited() (time.Duration, bool) { return m.m.Stop() }

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

// starvedSearch decides a capacity search whose outcome a test did not
// expect, when a probe of it says the generator fell behind
// (generatorBehind): starvedOr with the latest such probe's lateness.
// It returns when no probe says so, for the test to fail as it would.
func starvedSearch(t *testing.T, wm waitMeter, doc *result.Capacity, what string) {
	t.Helper()
	var late time.Duration
	behind := false
	for _, p := range doc.Probes {
		if l, ok := generatorBehind(p); ok {
			late, behind = max(late, l), true
		}
	}
	if behind {
		starvedOr(t, wm, late, what)
	}
}
