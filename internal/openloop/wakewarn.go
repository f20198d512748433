package openloop

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A send is late for one of two reasons: the dispatcher's timed wake-up
// ended late (the machine's timer delivery, or another thread holding its
// CPU: on a VM a bare thread that only sleeps is late in the same
// milliseconds, bench/README.md), or once awake it did not get to the
// arrival in time (its own work, or other threads taking its CPU while
// it worked). The event loops record how late each timed wake-up ended
// (part.wakeLate) and how long their threads waited for a processor
// (part.runWait), so the generator-limited warning can say which it was.

// wakeCause is the sentence the generator-limited warning ends with for
// the event loop, given the send lag p99 (s). "" in worker mode.
func (e *Engine) wakeCause(lagP99 float64) string {
	h := result.NewHistogram()
	loops := false
	var wait float64 // s, the loops' threads together; −1: unknown
	for _, p := range e.parts {
		if p.wakeLate == nil {
			continue
		}
		loops = true
		h.Merge(p.wakeLate)
		if p.runWait < 0 || wait < 0 {
			wait = -1
		} else {
			wait += p.runWait.Seconds()
		}
	}
	if !loops {
		return ""
	}
	waited := ""
	if wait >= 0 {
		waited = fmt.Sprintf(" (its thread waited %s in all for a processor)", numfmt.GoDuration(wait))
	}
	if h.TotalCount() == 0 {
		return " The event loop never slept: each arrival was already due when it got to it, so it fell behind while it was awake: its own work, or other threads taking its CPU" + waited + "."
	}
	late := float64(h.ValueAtQuantile(99)) / 1e9
	if late >= lagP99/2 {
		return fmt.Sprintf(" The event loop's timed wake-ups themselves ended late by %s at p99 (of %d): the machine woke it late (timer delivery, or another thread on its CPU).",
			numfmt.GoDuration(late), h.TotalCount())
	}
	return fmt.Sprintf(" The event loop's timed wake-ups ended late by only %s at p99 (of %d), so the lag came while it was awake: its own work, or other threads taking its CPU%s.",
		numfmt.GoDuration(late), h.TotalCount(), waited)
}
