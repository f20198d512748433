package main

import (
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/run"
)

// addEngineFlags binds how the engine paces and spreads the sends into
// ro: --timer-slack, --loops, and the hidden --wake-per-response (for
// measuring what kernel timestamps save: bench/README.md).
func addEngineFlags(fs *pflag.FlagSet, ro *run.Options) {
	fs.DurationVar(&ro.TimerSlack, "timer-slack", 0, "let an arrival be sent up to this late so that arrivals close together share one wake-up of the generator (less CPU at moderate rates; the lateness is in the send lag and the latency); 0: each arrival on time")
	fs.IntVar(&ro.Loops, "loops", 0, "client loop: how many event loops (threads) send the load, each a disjoint part of the schedule; 0: one per 10,000 rps of the peak rate, at most one per CPU (GOMAXPROCS)")
	fs.BoolVar(&ro.WakePerResponse, "wake-per-response", false, "event loop: wake for every response and time it when read, instead of by the kernel's receive timestamp")
	_ = fs.MarkHidden("wake-per-response")
}
