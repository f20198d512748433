package main

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/report"
)

// analyzeOptions is everything `analyze` takes from its arguments and flags.
type analyzeOptions struct {
	Result      string  // RESULT.json, or "-" for standard input
	Workers     int     // --workers c (0: estimate)
	Queue       int     // --queue: waiting slots (K = c + queue)
	Unbounded   bool    // --unbounded: the server never rejects
	ServiceTime string  // --service-time: "10ms", or a distribution "exp:10ms"
	ServiceSCV  float64 // --service-scv (with a plain --service-time, or alone)
	JSON        bool    // --json: print the analysis object
	shedOptions         // --mechanism and its settings (analyzeshed.go)

	// changed reports whether a flag was given on the command line.
	changed func(name string) bool
	// flagPrefix is "model-" when run or capacity borrows these flags
	// (owner names the command then; "" is run); errors name them.
	flagPrefix string
	owner      string
}

// cmdName is the command whose flags these are.
func (o *analyzeOptions) cmdName() string {
	switch {
	case o.flagPrefix == "":
		return "analyze"
	case o.owner != "":
		return o.owner
	}
	return "run"
}

// where prefixes an error: "analyze: --workers" or "run: --model-workers".
func (o *analyzeOptions) where(flag string) string {
	return o.cmdName() + ": --" + o.flagPrefix + flag
}

func (o *analyzeOptions) addFlags(fs *pflag.FlagSet) {
	fs.IntVar(&o.Workers, "workers", 0, "the target's worker count c (default: estimated from the throughput plateau)")
	fs.IntVar(&o.Queue, "queue", 0, "the target's waiting slots; the model's K = c + queue (default: unknown)")
	fs.BoolVar(&o.Unbounded, "unbounded", false, "the target's queue has no bound (it never answers 503)")
	fs.StringVar(&o.ServiceTime, "service-time", "", "mean service time of one request on one worker (10ms), or a distribution: exp:10ms, det:10ms, lognormal:10ms,0.5 (default: the target's Server-Timing, else estimated)")
	fs.Float64Var(&o.ServiceSCV, "service-scv", 0, "squared coefficient of variation of the service time: 0 constant, 1 exponential; when not given: measured (Server-Timing), else 1")
	fs.BoolVar(&o.JSON, "json", false, "print the analysis object (spec/result.md ANALYSIS) as JSON")
	o.shedOptions.addFlags(fs)
}

const analyzeLong = `Capacity analysis of a saved result (run -o RESULT.json; "-" reads standard
input): Little's law on every stage, a queueing model's predictions beside
the measurements, the knee and the capacity.

What the flags do not give is taken from the result, and the output says so:
the service time from the target's Server-Timing header when it sent one
(else estimated from the lowest-load stage, with its caveats), the worker
count from the throughput plateau (c ≈ X_max·E[S]). Poisson arrivals with
exponential service are predicted exactly (M/M/c/K; M/M/c without a bound);
anything else by simulating G/G/c/K, or Whitt's G/G/c approximation without
a bound. Every prediction is driven by the achieved rate and the measured
arrival variability.

How the target sheds load is recognised from the run (or given with
--mechanism): a bounded queue, a queue timeout (503s that waited a
constant time), a rate limit (the admitted rate stays put), a concurrency
limit, an adaptive limit, an unbounded queue, or none seen; with its
parameters, a confidence computed from the evidence, and the evidence.

Each stage's 503 ratio (503s and 429s / responses), mean and p99 (client-side 2xx
latency from the intended send) are compared with the prediction plus the
measured client overhead. They agree when the difference is within the band:
model tolerance + the measurement's 95% interval (the wider of batch means
over the stage's 1-second windows and the model's own spread over stages as
long) + how far the prediction moves with the uncertainty of E[S] (+ the
overhead, for p99). A measurement too noisy to decide is "insufficient
data", never agreement.

"queue" is the number of waiting slots, what 'bploadgen target --queue'
takes. An unreadable result or invalid flags exit 2.

` + exitCodeHelp

func newAnalyzeCmd(e *env, runF func(*analyzeOptions) error) *cobra.Command {
	opts := &analyzeOptions{}
	cmd := &cobra.Command{
		Use:   "analyze RESULT.json",
		Short: "Capacity analysis of a saved result: Little's law, queueing-model predictions, the knee",
		Long:  analyzeLong,
		Example: `  bploadgen analyze result.json
  bploadgen analyze result.json --workers 8 --queue 16 --service-time exp:10ms
  bploadgen analyze result.json --mechanism queue-timeout --queue-timeout 20ms
  bploadgen analyze result.json --workers 8 --queue 16 --json | jq '.stages[] | .verdict'`,
		Args: exactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Result = args[0]
			opts.changed = cmd.Flags().Changed
			if runF != nil {
				return runF(opts)
			}
			return analyzeRun(e, opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// given reports whether a flag was set on the command line.
func (o *analyzeOptions) given(name string) bool { return o.changed != nil && o.changed(name) }

// spec turns the flags into a model spec, or a usage error.
func (o *analyzeOptions) spec() (analysis.ModelSpec, error) {
	var s analysis.ModelSpec
	if o.Workers < 0 {
		return s, usageError("%s must be ≥ 1, got %d", o.where("workers"), o.Workers)
	}
	s.Workers = o.Workers
	if o.given("queue") {
		if o.Queue < 0 {
			return s, usageError("%s must be ≥ 0 waiting slots, got %d", o.where("queue"), o.Queue)
		}
		if o.Unbounded {
			return s, usageError("%s: give a queue or unbounded, not both", o.where("queue"))
		}
		s.Queue, s.QueueKnown = o.Queue, true
	}
	s.Unbounded = o.Unbounded
	if o.ServiceTime != "" {
		mean, scv, ok, err := analyzeParseService(o.ServiceTime)
		if err != nil {
			return s, usageError("%s: %v", o.where("service-time"), err)
		}
		if ok && o.given("service-scv") {
			return s, usageError("%s %q already names a distribution; drop the service SCV", o.where("service-time"), o.ServiceTime)
		}
		s.ServiceMean, s.ServiceSCV, s.SCVKnown = mean, scv, ok
	}
	if o.given("service-scv") {
		s.ServiceSCV, s.SCVKnown = o.ServiceSCV, true
	}
	o.shedOptions.apply(&s)
	if err := s.Validate(); err != nil {
		return s, usageError("%s: %v", o.cmdName(), err)
	}
	return s, nil
}

// analyzeParseService reads --service-time: a positive Go duration ("10ms";
// the SCV is then not given) or a distribution as 'target --service' takes
// ("exp:10ms", "det:10ms", "lognormal:10ms,0.5"; it fixes the SCV too).
func analyzeParseService(v string) (mean, scv float64, scvGiven bool, err error) {
	v = strings.TrimSpace(v)
	if strings.Contains(v, ":") {
		d, err := dist.Parse(v)
		if err != nil {
			return 0, 0, false, err
		}
		return d.Mean, d.SCV(), true, nil
	}
	m, err := time.ParseDuration(v)
	if err != nil || m <= 0 {
		return 0, 0, false, fmt.Errorf("%q: want a positive duration like 10ms, or exp:10ms, det:10ms, lognormal:10ms,0.5", v)
	}
	if s := m.Seconds(); !(s > 0) || math.IsInf(s, 0) {
		return 0, 0, false, fmt.Errorf("%q: out of range", v)
	}
	return m.Seconds(), 0, false, nil
}

// analyzeRun reads the result, analyses it and prints the table or JSON.
func analyzeRun(e *env, o *analyzeOptions) error {
	spec, err := o.spec()
	if err != nil {
		return err
	}
	r, err := readResult(e, o.Result)
	if err != nil {
		return usageError("analyze: %v", err)
	}
	a, err := analysis.Analyze(r, spec)
	if err != nil {
		return usageError("analyze: %v", err)
	}
	if o.JSON {
		b, err := json.MarshalIndent(a, "", "  ")
		if err != nil {
			return runFailed(fmt.Errorf("analyze: %w", err))
		}
		_, err = fmt.Fprintf(e.stdout, "%s\n", b)
		if err != nil {
			return runFailed(fmt.Errorf("analyze: %w", err))
		}
		return nil
	}
	name := o.Result
	if name == "-" {
		name = "standard input"
	}
	if err := report.AnalysisText(e.stdout, name, r, a); err != nil {
		return runFailed(fmt.Errorf("analyze: %w", err))
	}
	return nil
}
