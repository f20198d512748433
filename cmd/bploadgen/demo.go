package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/demo"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/run"
)

// demoOptions is the embedded default scenario, adjustable: its settings
// are bound straight into demo.Input.
type demoOptions struct {
	demo.Input
	OutDir string
	Quiet  bool

	Retries bool            // --retries: the retry demo (demoretries.go)
	Retry   demo.RetryInput // its spike; the target, arrival and seed are Input's
}

func (o *demoOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.OutDir, "out-dir", "bploadgen-demo", "where result.json and report.html go")
	fs.IntVar(&o.Target.Workers, "workers", 8, "target: workers c")
	fs.IntVar(&o.Target.Queue, "queue", 16, "target: waiting slots (K = c + queue)")
	fs.StringVar(&o.Target.Service, "service", "exp:10ms", "target: service time distribution (exp:MEAN, det:MEAN, lognormal:MEAN,SIGMA)")
	addPolicyFlags(fs, &o.Target)
	fs.Float64Var(&o.From, "from", 200, "first stage's rate")
	fs.Float64Var(&o.To, "to", 1200, "last stage's rate")
	fs.IntVar(&o.Steps, "steps", 6, "number of stages")
	fs.DurationVar(&o.StepDuration, "step-duration", 5*time.Second, "length of each stage")
	fs.StringVar(&o.Arrival, "arrival", "poisson", "arrival process: poisson or uniform")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of the arrivals and of the target's service times")
	fs.BoolVarP(&o.Quiet, "quiet", "q", false, "no live progress line")
	addRetryDemoFlags(fs, o)
}

func newDemoCmd(e *env, runF func(*demoOptions) error) *cobra.Command {
	opts := &demoOptions{}
	return command(&cobra.Command{
		Use:   "demo",
		Short: "The whole story on an embedded default: built-in target, step profile across capacity, report",
		Long:  longHelp("demo") + exitCodeHelp(),
		Args:  noArgs,
	}, opts, runF, func(cmd *cobra.Command, _ []string) error { return opts.bindRetries(cmd.Flags()) },
		func(ctx context.Context) error {
			if opts.Retries {
				return demoRetriesRun(ctx, e, opts)
			}
			return demoRun(ctx, e, opts)
		})
}

// demoRun checks the scenario, runs it (demo.Run) and writes result.json
// and report.html into --out-dir, then the summary and a reading.
func demoRun(ctx context.Context, e *env, o *demoOptions) error {
	in := o.Input
	in.Name = flagName
	sc, err := in.Scenario()
	if err != nil {
		return asUsage(err)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return runFailed(err)
	}
	d := e.delivery(filepath.Join(o.OutDir, "result.json"), report.Outputs{HTML: filepath.Join(o.OutDir, "report.html")})
	if err := d.Files.CheckWritable(d.Out); err != nil {
		return runFailed(err)
	}
	res, err := demo.Run(ctx, sc, run.Options{Tool: toolInfo(), LookupHost: e.lookupHost, Progress: e.progress(o.Quiet), TimerSlack: run.SlackAuto},
		func(url string) { fmt.Fprintf(e.stderr, "bploadgen demo: %s\n", sc.Describe(url)) })
	if err != nil {
		return runFailed(err)
	}
	ferr := finish(e, res, d, false)
	fmt.Fprintln(e.stdout)
	report.Reading(e.stdout, res)
	fmt.Fprintf(e.stdout, "\nWrote %s and %s\n", d.Out, d.Files.HTML)
	return ferr
}
