package main

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/run"
)

// runOptions is everything `run` takes from its flags: the plan's
// settings (bound straight into run.Overrides) and how to run and report.
type runOptions struct {
	run.Overrides        // the request, the shape, arrival, seed, limits, gates, shard, start
	sendOptions          // -f, the client, grace, scrape, model, -q
	Profile       string // --profile: constant, step, spike, ramp

	Out   string
	HTML  string
	JUnit string
	CSV   string
	HLog  string
	MD    string

	LogRequests string
	CPUProfile  string

	MetricsListen string        // --metrics-listen: serve /metrics here during the run
	MetricsLinger time.Duration // --metrics-linger: and this long after it
	Stream        string        // --stream: the timeline as JSON lines, "-" for stdout

	// changed holds the flags given on the command line (they override the
	// profile file).
	changed func(name string) bool
}

func (o *runOptions) addFlags(fs *pflag.FlagSet) {
	addRequestFlags(fs, &o.Overrides)
	o.sendOptions.addFlags(fs)
	fs.StringVar(&o.Profile, "profile", "", "rate shape: constant, step, spike or ramp (default constant)")
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
	fs.StringVar(&o.HTML, "html", "", "write the HTML report here")
	fs.StringVar(&o.JUnit, "junit", "", "write JUnit XML (one testcase per assertion) here")
	fs.StringVar(&o.CSV, "csv", "", "write the timeline as CSV here")
	fs.StringVar(&o.HLog, "hlog", "", "write an HdrHistogram interval log here")
	fs.StringVar(&o.MD, "md", "", "write a Markdown summary here")
	fs.StringVar(&o.Overrides.Shard, "shard", "", "run the I-th of N disjoint parts of the plan, as I/N (auto/N: I from $JOB_COMPLETION_INDEX+1, for a Kubernetes Indexed Job)")
	fs.StringVar(&o.Overrides.StartAt, "start-at", "", "wait until this wall-clock time (RFC 3339, or Unix seconds) before starting, so shards start together")
	fs.StringVar(&o.LogRequests, "log-requests", "", "write one CSV line per scheduled request here (intended/sent/end times, latency, status, error)")
	fs.StringVar(&o.MetricsListen, "metrics-listen", "", "serve the run's live Prometheus metrics at /metrics on this address during the run, e.g. 127.0.0.1:9464")
	fs.DurationVar(&o.MetricsLinger, "metrics-linger", 0, "keep serving --metrics-listen this long after the run, so a last scrape sees the final values")
	fs.StringVar(&o.Stream, "stream", "", "write the timeline here as JSON lines while the run goes: one line per 1-second window, then the totals (- for stdout, only with -o FILE)")
	fs.StringVar(&o.CPUProfile, "cpuprofile", "", "write a Go CPU profile of the run here (for bploadgen's own performance work)")
	_ = fs.MarkHidden("cpuprofile")
}

const runLong = `Drive a target at planned rates, open loop: arrivals follow the plan whatever
the target does, and every latency is measured from the intended send time.

Rate shapes:
  constant  --rate R --duration D
  step      --from R --to R --steps N --step-duration D
  spike     --rate R --spike-rate R --spike-at D --spike-for D --duration D
  ramp      --from R --to R --duration D [--steps N]
  or a profile file: -f profile.yaml (explicit stages, a shape, the request, gates)

Assertions (--assert, repeatable): METRIC OP VALUE [in SCOPE]
  METRIC  p50 p90 p95 p99 p99.9 p99.99 max mean min   (from the intended send, responses)
          service.p99 ...  (from the actual send)   2xx.p99 ...  (2xx responses only)
          ratio(503) ratio(5xx) ratio(4xx) ratio(2xx) ratio(errors) ratio(not_sent)
          (fractions of the scheduled requests)   rps (2xx/s)   achieved (sent/scheduled)
  OP      < <= > >=
  VALUE   250ms 1.5s 800us | 0.01 1% | 500
  SCOPE   stage N | each stage | each 10s   (default: the whole run)

` + exitCodeHelp

func newRunCmd(e *env, runF func(*runOptions) error) *cobra.Command {
	opts := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run [URL]",
		Short: "Drive a target through a rate profile; record, report and gate",
		Long:  runLong,
		Example: `  bploadgen run http://127.0.0.1:8080/ --rate 500 --duration 30s -o out.json
  bploadgen run http://127.0.0.1:8080/ --profile step --from 100 --to 1000 --steps 10 --step-duration 10s --arrival poisson
  bploadgen run -f profile.yaml --assert 'p99 < 250ms in each stage' --assert 'ratio(503) < 1%' --html report.html`,
		Args: rangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if cmd.Flags().Changed("url") {
					return usageError("run: give the URL as the argument or with --url, not both")
				}
				opts.Overrides.URL = args[0]
				_ = cmd.Flags().Set("url", args[0])
			}
			opts.changed = cmd.Flags().Changed
			opts.Getenv = e.getenv
			opts.Model.changed = func(n string) bool { return cmd.Flags().Changed("model-" + n) }
			opts.Model.flagPrefix = "model-"
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), e, opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}
