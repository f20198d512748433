package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/run"
	"github.com/bploadgen/bploadgen/internal/schedule"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// demoOptions is the embedded default scenario, adjustable.
type demoOptions struct {
	OutDir        string
	Workers       int
	Queue         int
	Service       string
	policyOptions // --policy and its settings, as target takes them
	From, To      float64
	Steps         int
	StepDuration  time.Duration
	Arrival       string
	Seed          int64
	Quiet         bool
}

func newDemoCmd(e *env, runF func(*demoOptions) error) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "The whole story on an embedded default: built-in target, step profile across capacity, report",
		Long: `Start the built-in backpressure-aware target in-process (8 workers, 16 queue
slots, exponential 10 ms service: capacity 800 rps), drive it with a Poisson
step profile from 200 to 1200 rps (6 stages of 5 s), scrape its metrics, and
write result.json and report.html into --out-dir. Prints the summary, the
capacity analysis and a plain-language reading. About 30 seconds.

--policy and its settings change how the target sheds load, as 'bploadgen
target' takes them: bploadgen demo --policy deadline --queue-timeout 20ms,
--policy ratelimit --limit 600 --burst 10, --policy aimd.

` + exitCodeHelp,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(o)
			}
			return demoRun(cmd.Context(), e, o)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.OutDir, "out-dir", "bploadgen-demo", "where result.json and report.html go")
	fs.IntVar(&o.Workers, "workers", 8, "target: workers c")
	fs.IntVar(&o.Queue, "queue", 16, "target: waiting slots (K = c + queue)")
	fs.StringVar(&o.Service, "service", "exp:10ms", "target: service time distribution (exp:MEAN, det:MEAN, lognormal:MEAN,SIGMA)")
	o.policyOptions.addFlags(fs)
	fs.Float64Var(&o.From, "from", 200, "first stage's rate")
	fs.Float64Var(&o.To, "to", 1200, "last stage's rate")
	fs.IntVar(&o.Steps, "steps", 6, "number of stages")
	fs.DurationVar(&o.StepDuration, "step-duration", 5*time.Second, "length of each stage")
	fs.StringVar(&o.Arrival, "arrival", "poisson", "arrival process: poisson or uniform")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the arrivals and of the target's service times")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no live progress line")
	return cmd
}

func demoRun(ctx context.Context, e *env, o *demoOptions) error {
	svc, err := dist.Parse(o.Service)
	if err != nil {
		return usageError("--service: %v", err)
	}
	tcfg := targets.Config{Workers: o.Workers, Queue: o.Queue, Service: svc, Seed: uint64(o.Seed)}
	if err := o.policyOptions.apply(&tcfg); err != nil {
		return usageError("--policy: %v", err)
	}
	if err := tcfg.Validate(); err != nil {
		return usageError("%v", err)
	}
	stages, err := profile.Shape{Kind: "step", From: o.From, To: o.To, Steps: o.Steps, StepDuration: o.StepDuration,
		Set: map[string]bool{"from": true, "to": true, "steps": true, "step_duration": true}}.Stages(flagName)
	if err != nil {
		return asUsage(err)
	}
	arrival, err := schedule.ParseKind(o.Arrival)
	if err != nil {
		return usageError("--arrival: %v", err)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return runFailed(err)
	}
	files := report.Outputs{HTML: filepath.Join(o.OutDir, "report.html"), Name: flagName}
	out := filepath.Join(o.OutDir, "result.json")
	if err := files.CheckWritable(out); err != nil {
		return runFailed(err)
	}

	srv, err := targets.Start(tcfg)
	if err != nil {
		return runFailed(err)
	}
	defer srv.Close()
	fmt.Fprintf(e.stderr, "bploadgen demo: built-in target %s at %s (capacity %.0f rps); %d stages %g→%g rps of %s, %s arrivals\n",
		tcfg.Model(), srv.URL(), tcfg.Capacity(), o.Steps, o.From, o.To, o.StepDuration, arrival)

	pl := run.NewPlan(profile.RequestSpec{URL: srv.URL() + "/", Method: "GET"}, stages...)
	pl.Kind, pl.Arrival, pl.Seed = "step", arrival, o.Seed
	res, err := run.Execute(ctx, pl, run.Options{Tool: toolInfo(), Scrape: srv.URL() + "/metrics",
		LookupHost: e.lookupHost, Progress: e.progress(o.Quiet),
		Analyze: run.BuiltinTarget(tcfg)})
	if err != nil {
		return runFailed(err)
	}
	ferr := finish(e, res, out, files, false)
	fmt.Fprintln(e.stdout)
	report.Reading(e.stdout, res)
	fmt.Fprintf(e.stdout, "\nWrote %s and %s\n", out, files.HTML)
	return ferr
}
