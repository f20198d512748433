package main

import (
	"errors"
	"sort"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/capacity"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/run"
)

// capacityOptions is everything `capacity` takes from its flags.
type capacityOptions struct {
	run.Overrides // the request, arrival, seed, limits; Asserts are the --slo
	sendOptions   // -f, the client, grace, scrape, model, -q

	Min, Max            float64
	Budget              time.Duration
	Precision           string // a fraction or a percentage
	Require             float64
	Overload            string
	RequireBackpressure bool
	RejectMetrics       []string

	Out, HTML, MD, JUnit string

	// refused are run's flags that shape the rates, the search's job.
	refused map[string]*string
	changed func(name string) bool
}

// capacityRefused are run's flags capacity refuses, with why.
var capacityRefused = map[string]string{
	"rate": "the search chooses the rates; bound them with --min and --max", "duration": "the search decides how long each probe runs; bound the whole with --budget",
	"profile": "the search chooses the rates", "from": "use --min", "to": "use --max", "steps": "the search chooses the rates",
	"step-duration": "the search decides how long each probe runs", "spike-rate": "the search chooses the rates",
	"spike-at": "the search chooses the rates", "spike-for": "the search chooses the rates",
	"assert": "a search judges SLOs: use --slo", "shard": "a search runs from one process",
}

func (o *capacityOptions) addFlags(fs *pflag.FlagSet) {
	addRequestFlags(fs, &o.Overrides)
	o.sendOptions.addFlags(fs)
	fs.StringArrayVar(&o.Overrides.Asserts, "slo", nil, "an objective every probe is judged by, in the --assert grammar without a scope: 'p99 < 100ms', 'ratio(503) < 1%' (repeatable)")
	fs.Float64Var(&o.Min, "min", 0, "lowest and first probe rate, rps (default: chosen from the SLOs' sample sizes so the ramp's slow first probes take a sixth of the budget)")
	fs.Float64Var(&o.Max, "max", 0, "never probe above this rate, rps")
	fs.DurationVar(&o.Budget, "budget", capacity.DefaultBudget, "wall-clock budget for the whole search, overload probes included")
	fs.StringVar(&o.Precision, "precision", "5%", "stop when the bracket is within this fraction of its lower end")
	fs.Float64Var(&o.Require, "require", 0, "gate: exit 1 if the capacity found is below this rate, rps")
	fs.StringVar(&o.Overload, "overload", "1.5,2,3", "after the search, probe at these multiples of the capacity to check the backpressure ('none' skips)")
	fs.BoolVar(&o.RequireBackpressure, "require-backpressure", false, "gate: exit 1 unless the backpressure verdict is holds")
	fs.StringArrayVar(&o.RejectMetrics, "reject-metric", nil, "a counter of requests the target turned away, among the --scrape metrics, for the reject-counter check (repeatable: their increases add up; default: those whose names have reject, shed, throttl, limited, timed_out, expired or dropped)")
	fs.StringVarP(&o.Out, "out", "o", "", "write the capacity JSON (bploadgen.capacity/v1) here")
	fs.StringVar(&o.HTML, "html", "", "write the HTML report here")
	fs.StringVar(&o.MD, "md", "", "write a Markdown summary here")
	fs.StringVar(&o.JUnit, "junit", "", "write JUnit XML here")
	o.refused = map[string]*string{}
	for name := range capacityRefused {
		v := new(string)
		o.refused[name] = v
		fs.StringVar(v, name, "", "refused: "+capacityRefused[name])
		_ = fs.MarkHidden(name)
	}
}

const capacityLong = `Find the highest request rate at which the target meets every SLO, then
check that its backpressure holds past that rate.

The search ramps from --min, doubling, until a probe does not pass, then
bisects the bracket [highest pass, lowest non-pass] until it is within
--precision of its lower end, the budget runs out, or --max passes. From the
second probe on, a queueing model fitted to the probes proposes rates near
its predicted limit. Each probe is an open-loop run like 'run' (a warm-up,
then measured batches); each SLO is judged from the 95% confidence interval
of its statistic: pass, fail, or uncertain (the probe is extended, and still
uncertain at its cap counts as not passing).

Then one probe at each --overload multiple of the capacity checks that the
excess is answered 503/429, the accepted latency stays bounded, goodput does
not collapse, the target's reject counter (with --scrape) moves with the
503s, and Retry-After is sent: backpressure holds, fails or unknown.

SLOs (--slo, repeatable, and a profile's assert: lines): the --assert grammar
without a scope; rps is refused (it rises with the load: use --require).
Rate-shape flags (--rate, --profile, --steps, ...) and a profile's stages
are refused: the search owns the rates.

Exit codes:
  0    a passing rate was found (and meets --require; the backpressure holds
       with --require-backpressure), also when the budget ran out
  1    no passing rate, below --require, or --require-backpressure not met
  2    usage error or invalid input: nothing was sent
  3    the search could not be carried out
  130  interrupted: the partial result, with the bracket so far, is written
`

func newCapacityCmd(e *env, runF func(*capacityOptions) error) *cobra.Command {
	opts := &capacityOptions{}
	cmd := &cobra.Command{
		Use:   "capacity [URL] --slo EXPR",
		Short: "Find the highest rate that meets the SLOs, and whether the backpressure holds past it",
		Long:  capacityLong,
		Example: `  bploadgen capacity http://127.0.0.1:8080/ --slo 'ratio(503) < 1%' --arrival poisson -o cap.json --html cap.html
  bploadgen capacity http://127.0.0.1:8080/ --slo 'p99 < 100ms' --slo 'ratio(5xx) < 0.1%' --max 5000 --budget 3m --require 800
  bploadgen capacity -f profile.yaml --overload 2,4 --require-backpressure --scrape http://127.0.0.1:8080/metrics`,
		Args: rangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				if cmd.Flags().Changed("url") {
					return usageError("capacity: give the URL as the argument or with --url, not both")
				}
				opts.Overrides.URL = args[0]
				_ = cmd.Flags().Set("url", args[0])
			}
			opts.changed = cmd.Flags().Changed
			opts.Model.changed = func(n string) bool { return cmd.Flags().Changed("model-" + n) }
			opts.Model.flagPrefix, opts.Model.owner = "model-", "capacity"
			if runF != nil {
				return runF(opts)
			}
			return runCapacity(cmd.Context(), e, opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// plan resolves the profile (if any) and the request flags into a plan
// whose gates are the SLOs; its stages are a placeholder the prober
// replaces. Every error is invalid input (exit 2).
func (o *capacityOptions) plan() (*run.Plan, error) {
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	for _, name := range sortedNames(capacityRefused) {
		if changed(name) {
			return nil, usageError("capacity: --%s: %s", name, capacityRefused[name])
		}
	}
	var prof *profile.Profile
	if o.File != "" {
		p, err := profile.Load(o.File)
		if err != nil {
			return nil, asUsage(err)
		}
		if len(p.Stages) > 0 || p.Shape != nil {
			return nil, usageError("%s:%d: capacity chooses the rates itself: remove stages/profile from the file (its target, arrival, seed and assert lines are used)", p.File, p.RatesLine)
		}
		prof = p
	}
	if o.Grace <= 0 {
		return nil, usageError("--grace must be > 0")
	}
	// The stages are a placeholder: the prober plans each segment's own.
	ov := o.Overrides
	ov.Shape = profile.Shape{Kind: "constant", Set: map[string]bool{"rate": true, "duration": true}, Rate: 1, Duration: time.Second}
	ov.Given = func(s string) bool { return changed(strings.ReplaceAll(s, "_", "-")) }
	ov.Name = func(s string) string {
		if s == "assert" {
			return "--slo"
		}
		return flagName(s)
	}
	pl, err := run.Resolve(prof, ov)
	if errors.Is(err, run.ErrNoTarget) {
		return nil, usageError("no target: give a URL (capacity URL, --url, or target.url in the profile)")
	}
	if err != nil {
		return nil, err
	}
	if err := capacity.CheckSLOs(pl.Asserts); err != nil {
		return nil, usageError("capacity: %v", err)
	}
	return pl, nil
}

// sortedNames lists a map's keys in order (so the first refused flag
// named is always the same).
func sortedNames(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
