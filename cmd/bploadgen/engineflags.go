package main

import (
	"fmt"
	"time"

	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/run"
)

// addEngineFlags binds how the engine paces and spreads the sends into
// ro: --timer-slack, --loops, and the hidden --wake-per-response (for
// measuring what kernel timestamps save: bench/README.md).
func addEngineFlags(fs *pflag.FlagSet, ro *run.Options) {
	ro.TimerSlack = run.SlackAuto
	fs.Var((*slackFlag)(&ro.TimerSlack), "timer-slack", "let an arrival be sent up to this late so that arrivals close together share one wake-up of the generator (less CPU at moderate rates; the lateness is in the send lag and the latency); auto: as late as any sleep may end anyway, the kernel's timer slack (50µs) or the wake-up latency measured as the run goes, the larger, at most 200µs; 0: each arrival woken for on time")
	fs.IntVar(&ro.Loops, "loops", 0, "client loop: how many event loops (threads) send the load, each a disjoint part of the schedule; 0: one per 10,000 rps of the peak rate, at most one per CPU (GOMAXPROCS)")
	fs.BoolVar(&ro.WakePerResponse, "wake-per-response", false, "event loop: wake for every response and time it when read, instead of by the kernel's receive timestamp")
	_ = fs.MarkHidden("wake-per-response")
}

// slackFlag is --timer-slack: a duration ≥ 0, or auto (run.SlackAuto).
type slackFlag time.Duration

func (f *slackFlag) String() string {
	if time.Duration(*f) == run.SlackAuto {
		return "auto"
	}
	return time.Duration(*f).String()
}

func (f *slackFlag) Set(s string) error {
	if s == "auto" {
		*f = slackFlag(run.SlackAuto)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return fmt.Errorf("want auto or a duration >= 0 (50us, 1ms)")
	}
	*f = slackFlag(d)
	return nil
}

func (f *slackFlag) Type() string { return "duration|auto" }
