package main

import (
	"context"
	"maps"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/capacity"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/run"
)

// capacityOptions is everything `capacity` takes from its flags: the
// plan's settings bound into run.Overrides, the search's into
// capacity.Settings.
type capacityOptions struct {
	run.Overrides                   // the request, arrival, seed, limits; Asserts are the --slo
	sendOptions                     // -f, the client, grace, scrape, model, -q
	Search        capacity.Settings // --min --max --budget --precision --require --overload ...
	Out           string            // -o: the capacity JSON
	Files         report.Outputs    // --html --md --junit

	// refused are run's flags that shape the rates, the search's job.
	refused map[string]*string
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
	fs.Float64Var(&o.Search.Min, "min", 0, "lowest and first probe rate, rps (default: chosen from the SLOs' sample sizes so the ramp's slow first probes take a sixth of the budget)")
	fs.Float64Var(&o.Search.Max, "max", 0, "never probe above this rate, rps")
	fs.DurationVar(&o.Search.Budget, "budget", capacity.DefaultBudget, "wall-clock budget for the whole search, overload probes included")
	fs.StringVar(&o.Search.Precision, "precision", "5%", "stop when the bracket is within this fraction of its lower end")
	fs.Float64Var(&o.Search.Require, "require", 0, "gate: exit 1 if the capacity found is below this rate, rps")
	fs.StringVar(&o.Search.Overload, "overload", "1.5,2,3", "after the search, probe at these multiples of the capacity to check the backpressure ('none' skips)")
	fs.BoolVar(&o.Search.RequireBackpressure, "require-backpressure", false, "gate: exit 1 unless the backpressure verdict is holds")
	fs.StringArrayVar(&o.Search.RejectCounters, "reject-metric", nil, "a counter of requests the target turned away, among the --scrape metrics, for the reject-counter check (repeatable: their increases add up; default: those whose names have reject, shed, throttl, limited, timed_out, expired or dropped)")
	fs.StringVarP(&o.Out, "out", "o", "", "write the capacity JSON (bploadgen.capacity/v1) here")
	fs.StringVar(&o.Files.HTML, "html", "", "write the HTML report here")
	fs.StringVar(&o.Files.Markdown, "md", "", "write a Markdown summary here")
	fs.StringVar(&o.Files.JUnit, "junit", "", "write JUnit XML here")
	o.refused = map[string]*string{}
	for name := range capacityRefused {
		v := new(string)
		o.refused[name] = v
		fs.StringVar(v, name, "", "refused: "+capacityRefused[name])
		_ = fs.MarkHidden(name)
	}
}

func newCapacityCmd(e *env, runF func(*capacityOptions) error) *cobra.Command {
	opts := &capacityOptions{}
	return command(&cobra.Command{
		Use:     "capacity [URL] --slo EXPR",
		Short:   "Find the highest rate that meets the SLOs, and whether the backpressure holds past it",
		Long:    longHelp("capacity"),
		Example: examples("capacity"),
		Args:    rangeArgs(0, 1),
	}, opts, runF, func(cmd *cobra.Command, args []string) error {
		return opts.bind(cmd, args, &opts.Overrides)
	}, func(ctx context.Context) error { return runCapacity(ctx, e, opts) })
}

// plan resolves the profile (if any) and the request flags into a plan
// whose gates are the SLOs (capacity.Plan). Every error is invalid input
// (exit 2).
func (o *capacityOptions) plan() (*run.Plan, error) {
	for _, name := range slices.Sorted(maps.Keys(capacityRefused)) {
		if o.changed != nil && o.changed(name) {
			return nil, usageError("capacity: --%s: %s", name, capacityRefused[name])
		}
	}
	ov := o.Overrides
	ov.Name = func(s string) string {
		if s == "assert" {
			return "--slo"
		}
		return flagName(s)
	}
	pl, err := o.sendOptions.plan("capacity", ov, capacity.Plan)
	if err != nil {
		return nil, err
	}
	if err := capacity.CheckSLOs(pl.Asserts); err != nil {
		return nil, usageError("capacity: %v", sloWords(err))
	}
	return pl, nil
}

// runCapacity carries out `capacity`: plan, checks, the search, outputs,
// the gates.
func runCapacity(ctx context.Context, e *env, o *capacityOptions) error {
	pl, err := o.plan()
	if err != nil {
		return err
	}
	s := o.Search
	s.Scraped, s.Model, s.Name = o.Scrape != "", o.Model.input(), flagName
	s.Given = givenBy(o.changed)
	cfg, err := s.Config(pl)
	if err != nil {
		return usageError("capacity: %v", err)
	}
	d := e.delivery(o.Out, o.Files)
	if err := d.Check(); err != nil {
		return asUsage(err)
	}
	if err := d.Files.CheckWritable(o.Out); err != nil {
		return runFailed(err)
	}
	opts := o.runOptions(e)
	if e.stderrIsTerminal && !o.Quiet {
		live := &capacity.Live{W: e.liveOut(), Budget: cfg.Budget}
		cfg.OnEvent, opts.Progress = live.Event, live.Progress
	}
	doc, searchErr := capacity.Run(ctx, cfg, pl, opts)
	if doc == nil || (searchErr != nil && len(doc.Probes) == 0) {
		return runFailed(searchErr)
	}
	writeErr := d.WriteCapacity(doc)
	if searchErr != nil {
		return runFailed(searchErr)
	}
	return outcome(e, doc.Interrupted, writeErr, o.Search.GateFailed(doc))
}
