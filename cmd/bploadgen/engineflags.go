package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/run"
)

// engineOptions are how the engine paces and spreads the sends:
// --timer-slack, --loops, and the hidden --wake-per-response (for
// measuring what kernel timestamps save: bench/README.md).
type engineOptions struct {
	TimerSlack      time.Duration
	Loops           int
	WakePerResponse bool
}

func (o *engineOptions) addFlags(fs *pflag.FlagSet) {
	fs.DurationVar(&o.TimerSlack, "timer-slack", 0, "let an arrival be sent up to this late so that arrivals close together share one wake-up of the generator (less CPU at moderate rates; the lateness is in the send lag and the latency); 0: each arrival on time")
	fs.IntVar(&o.Loops, "loops", 0, "client loop: how many event loops (threads) send the load, each a disjoint part of the schedule; 0: one per 10,000 rps of the peak rate, at most one per CPU (GOMAXPROCS)")
	fs.BoolVar(&o.WakePerResponse, "wake-per-response", false, "event loop: wake for every response and time it when read, instead of by the kernel's receive timestamp")
	_ = fs.MarkHidden("wake-per-response")
}

// check validates the flags (a usage error names them).
func (o *engineOptions) check() error {
	if o.TimerSlack < 0 {
		return usageError("--timer-slack must be >= 0")
	}
	if o.Loops < 0 {
		return usageError("--loops must be >= 0")
	}
	return nil
}

// apply puts the flags into the run's options.
func (o *engineOptions) apply(ro *run.Options) {
	ro.TimerSlack, ro.Loops, ro.WakePerResponse = o.TimerSlack, o.Loops, o.WakePerResponse
}
