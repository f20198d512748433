package main

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/run"
)

// runOptions is everything `run` takes from its flags: the plan's
// settings (bound straight into run.Overrides) and how to run and report.
type runOptions struct {
	run.Overrides // the request, the shape (--profile and its parameters), arrival, seed, limits, gates, shard, start
	sendOptions   // -f, the client, grace, scrape, model, -q; --log-requests, --metrics-listen, --metrics-linger

	Out      string         // -o: the result JSON
	Files    report.Outputs // --html --junit --csv --hlog --md
	StreamTo string         // --stream: the timeline as JSON lines, "-" for stdout
}

func (o *runOptions) addFlags(fs *pflag.FlagSet) {
	addRequestFlags(fs, &o.Overrides)
	o.sendOptions.addFlags(fs)
	addMixFlags(fs, &o.Overrides, &o.Files) // mixflags.go
	addRetryFlags(fs, &o.Overrides.Retry)   // retryflags.go
	fs.StringVar(&o.Shape.Kind, "profile", "", "rate shape: constant, step, spike or ramp (default constant)")
	fs.Float64Var(&o.Shape.Rate, "rate", 0, "requests per second (constant; the base of spike)")
	fs.DurationVar(&o.Shape.Duration, "duration", 0, "run length (constant, spike, ramp)")
	fs.Float64Var(&o.Shape.From, "from", 0, "first rate (step, ramp)")
	fs.Float64Var(&o.Shape.To, "to", 0, "last rate (step, ramp)")
	fs.IntVar(&o.Shape.Steps, "steps", 0, "number of stages (step; ramp: report the ramp as this many stages)")
	fs.DurationVar(&o.Shape.StepDuration, "step-duration", 0, "length of each step")
	fs.Float64Var(&o.Shape.SpikeRate, "spike-rate", 0, "rate during the spike")
	fs.DurationVar(&o.Shape.SpikeAt, "spike-at", 0, "when the spike starts")
	fs.DurationVar(&o.Shape.SpikeFor, "spike-for", 0, "how long the spike lasts")
	fs.StringArrayVar(&o.Overrides.Asserts, "assert", nil, "gate, e.g. 'p99 < 250ms in each stage' (repeatable; see --help)")
	fs.StringVarP(&o.Out, "out", "o", "", "write the result JSON here")
	fs.StringVar(&o.Files.HTML, "html", "", "write the HTML report here")
	fs.StringVar(&o.Files.JUnit, "junit", "", "write JUnit XML (one testcase per assertion) here")
	fs.StringVar(&o.Files.CSV, "csv", "", "write the timeline as CSV here")
	fs.StringVar(&o.Files.HLog, "hlog", "", "write an HdrHistogram interval log here")
	fs.StringVar(&o.Files.Markdown, "md", "", "write a Markdown summary here")
	fs.StringVar(&o.Overrides.Shard, "shard", "", "run the I-th of N disjoint parts of the plan, as I/N (auto/N: I from $JOB_COMPLETION_INDEX+1, for a Kubernetes Indexed Job)")
	fs.StringVar(&o.Overrides.StartAt, "start-at", "", "wait until this wall-clock time (RFC 3339, or Unix seconds) before starting, so shards start together")
	fs.StringVar(&o.LogRequests, "log-requests", "", "write one CSV line per scheduled request here (intended/sent/end times, latency, status, error)")
	fs.StringVar(&o.MetricsListen, "metrics-listen", "", "serve the run's live Prometheus metrics at /metrics on this address during the run, e.g. 127.0.0.1:9464")
	fs.DurationVar(&o.MetricsLinger, "metrics-linger", 0, "keep serving --metrics-listen this long after the run, so a last scrape sees the final values")
	fs.StringVar(&o.StreamTo, "stream", "", "write the timeline here as JSON lines while the run goes: one line per 1-second window, then the totals (- for stdout, only with -o FILE)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a Go CPU profile of the run here (for bploadgen's own performance work)")
	_ = fs.MarkHidden("cpuprofile")
}

func newRunCmd(e *env, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{}
	return command(&cobra.Command{
		Use:     "run [URL]",
		Short:   "Drive a target through a rate profile; record, report and gate",
		Long:    longHelp("run") + exitCodeHelp(),
		Example: examples("run"),
		Args:    rangeArgs(0, 1),
	}, opts, runF, func(cmd *cobra.Command, args []string) error {
		opts.Getenv = e.getenv
		return opts.bind(cmd, args, &opts.Overrides)
	}, func(ctx context.Context) error { return runRun(ctx, e, opts) })
}
