package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
)

// analyzeOptions is everything `analyze` takes from its arguments and
// flags: the model's settings are bound straight into analysis.ModelInput.
type analyzeOptions struct {
	analysis.ModelInput        // --workers --queue --unbounded --service-time --service-scv --mechanism ...
	Result              string // RESULT.json, or "-" for standard input
	JSON                bool   // --json: print the analysis object

	// changed reports whether a flag was given on the command line.
	changed func(name string) bool
	// owner is the command whose flags these are, and flagPrefix is
	// "model-" when run or capacity borrows them; errors name both.
	owner      string
	flagPrefix string
}

func (o *analyzeOptions) addFlags(fs *pflag.FlagSet) {
	addModelFlags(fs, &o.ModelInput, "", "")
	fs.BoolVar(&o.JSON, "json", false, "print the analysis object (spec/result.md ANALYSIS) as JSON")
	fs.StringVar(&o.Mechanism, "mechanism", "", "how the target sheds load: bounded-queue, queue-timeout, rate-limit, concurrency-limit, adaptive-limit, unbounded, none (default: recognised from the result)")
	fs.DurationVar(&o.QueueTimeout, "queue-timeout", 0, "the target's queue timeout: the longest a request waits for a worker before a 503 (default: estimated)")
	fs.Float64Var(&o.RateLimit, "rate-limit", 0, "the target's rate limit, requests per second (default: estimated)")
	fs.Float64Var(&o.Burst, "burst", 0, "the rate limit's bucket size in requests (default: estimated)")
	fs.StringVar(&o.ShedStatus, "shed-status", "", "the status codes the target sheds with, e.g. 502,503,429 (default: 503 and 429, and another 5xx when the result shows it rising with the load as shedding does)")
}

// addModelFlags binds what is known of the target's queueing model, for
// analyze, and for run and capacity as --model-* (prefix "model-", their
// help starting with about).
func addModelFlags(fs *pflag.FlagSet, m *analysis.ModelInput, prefix, about string) {
	fs.IntVar(&m.Workers, prefix+"workers", 0, about+"the target's worker count c (default: estimated from the throughput plateau)")
	fs.IntVar(&m.Queue, prefix+"queue", 0, about+"the target's waiting slots; the model's K = c + queue (default: unknown)")
	fs.BoolVar(&m.Unbounded, prefix+"unbounded", false, about+"the target's queue has no bound (it never answers 503)")
	fs.StringVar(&m.ServiceTime, prefix+"service-time", "", about+"mean service time of one request on one worker (10ms), or a distribution: exp:10ms, det:10ms, lognormal:10ms,0.5 (default: the target's Server-Timing, else estimated)")
	fs.Float64Var(&m.ServiceSCV, prefix+"service-scv", 0, about+"squared coefficient of variation of the service time: 0 constant, 1 exponential; when not given: measured (Server-Timing), else 1")
}

func newAnalyzeCmd(e *env, runF func(*analyzeOptions) error) *cobra.Command {
	opts := &analyzeOptions{}
	return command(&cobra.Command{
		Use:     "analyze RESULT.json",
		Short:   "Capacity analysis of a saved result: Little's law, queueing-model predictions, the knee",
		Long:    longHelp("analyze") + exitCodeHelp(),
		Example: examples("analyze"),
		Args:    exactArgs(1),
	}, opts, runF, func(cmd *cobra.Command, args []string) error {
		opts.Result = args[0]
		opts.changed, opts.owner = cmd.Flags().Changed, cmd.Name()
		return nil
	}, func(context.Context) error { return analyzeRun(e, opts) })
}

// input is the model's settings as given, named by their flags.
func (o *analyzeOptions) input() analysis.ModelInput {
	in := o.ModelInput
	in.Given = givenBy(o.changed)
	in.Name = func(s string) string { return flagName(o.flagPrefix + s) }
	return in
}

// spec turns the flags into a model spec, or a usage error that names
// the command and its flags.
func (o *analyzeOptions) spec() (analysis.ModelSpec, error) {
	spec, err := o.input().Spec()
	if err != nil {
		return spec, usageError("%s: %v", o.owner, err)
	}
	return spec, nil
}

// analyzeRun reads the result, analyses it and prints the table or JSON.
func analyzeRun(e *env, o *analyzeOptions) error {
	spec, err := o.spec()
	if err != nil {
		return err
	}
	rs, err := result.ReadRedacted(e.stdin, o.Result)
	if err != nil {
		return usageError("analyze: %v", err)
	}
	r := rs[0]
	a, err := analysis.Analyze(r, spec)
	if err != nil {
		return usageError("analyze: %v", err)
	}
	name := o.Result
	if name == "-" {
		name = "standard input"
	}
	if err := report.WriteAnalysis(e.stdout, name, r, a, o.JSON); err != nil {
		return runFailed(fmt.Errorf("analyze: %w", err))
	}
	return nil
}
