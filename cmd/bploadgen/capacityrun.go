package main

import (
	"context"
	"fmt"
	"sync"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/capacity"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/run"
)

// runCapacity carries out `capacity`: plan, checks, the search, outputs,
// the gates.
func runCapacity(ctx context.Context, e *env, o *capacityOptions) error {
	pl, err := o.plan()
	if err != nil {
		return err
	}
	cfg, err := o.config(pl)
	if err != nil {
		return err
	}
	files := report.Outputs{HTML: o.HTML, JUnit: o.JUnit, Markdown: o.MD, Name: flagName}
	if err := checkOutputs(o.Out, files); err != nil {
		return asUsage(err)
	}
	if err := files.CheckWritable(o.Out); err != nil {
		return runFailed(err)
	}
	live := &capacityProgress{e: e, budget: cfg.Budget.Seconds()}
	if e.stderrIsTerminal && !o.Quiet {
		cfg.OnEvent = live.event
	}
	prober := &capacity.RunProber{Plan: pl, Options: run.Options{
		Tool: toolInfo(), Client: openloop.Client(o.Client), HTTP2: o.HTTP2, Insecure: o.Insecure, Grace: o.Grace,
		Scrape: o.Scrape, ScrapeMetrics: o.ScrapeMetrics, LookupHost: e.lookupHost,
	}}
	if cfg.OnEvent != nil {
		prober.Options.Progress = live.progress
	}
	doc, searchErr := capacity.Search(ctx, cfg, prober, capacity.SystemClock{})
	if doc == nil {
		return runFailed(searchErr)
	}
	doc.Tool = toolInfo()
	doc.Seed = pl.Seed
	if doc.Target.URL == "" {
		doc.Target = result.Target{URL: profile.RedactURL(pl.Request.URL), Method: pl.Request.Method}
	}
	if o.Require > 0 {
		doc.Settings.RequireRPS = o.Require
		met := doc.CapacityRPS >= o.Require
		doc.RequireMet = &met
	}
	if searchErr != nil && len(doc.Probes) == 0 {
		return runFailed(searchErr)
	}
	writeErr := writeCapacity(e, doc, o.Out, files)
	switch {
	case searchErr != nil:
		return runFailed(searchErr)
	case doc.Interrupted:
		if writeErr != nil {
			fmt.Fprintf(e.stderr, "bploadgen: %v\n", writeErr)
		}
		return errInterrupted
	case writeErr != nil:
		return runFailed(writeErr)
	case doc.CapacityRPS == 0, doc.RequireMet != nil && !*doc.RequireMet:
		return errAssertions
	case o.RequireBackpressure && (doc.Backpressure == nil || doc.Backpressure.Verdict != result.BackpressureHolds):
		return errAssertions
	}
	return nil
}

// config checks the search's flags and builds its configuration; every
// error is invalid input (exit 2).
func (o *capacityOptions) config(pl *run.Plan) (capacity.Config, error) {
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	cfg := capacity.Config{SLOs: pl.Asserts, Min: o.Min, Max: o.Max, Budget: o.Budget,
		Timeout: pl.Timeout, Arrival: pl.Arrival.String(), RejectCounters: o.RejectMetrics}
	if len(o.RejectMetrics) > 0 && o.Scrape == "" {
		return cfg, usageError("capacity: --reject-metric needs --scrape")
	}
	prec, err := assert.ParseFraction(o.Precision)
	if err != nil {
		return cfg, usageError("capacity: --precision: %v", err)
	}
	cfg.Precision = prec
	if cfg.Overload, err = capacity.ParseOverload(o.Overload); err != nil {
		return cfg, usageError("capacity: --%v", err)
	}
	if o.RequireBackpressure && len(cfg.Overload) == 0 {
		return cfg, usageError("capacity: --require-backpressure needs overload probes: drop --overload none")
	}
	if o.Require < 0 {
		return cfg, usageError("capacity: --require must be > 0")
	}
	if changed("min") && !(o.Min > 0) {
		return cfg, usageError("capacity: --min must be > 0")
	}
	if changed("max") && !(o.Max > 0) {
		return cfg, usageError("capacity: --max must be > 0")
	}
	if o.Max > profile.MaxRate || o.Min > profile.MaxRate {
		return cfg, usageError("capacity: --min and --max must be at most %d rps", profile.MaxRate)
	}
	if changed("min") && changed("max") && o.Min > o.Max {
		return cfg, usageError("capacity: --min %s is above --max %s", numfmt.Rate(o.Min), numfmt.Rate(o.Max))
	}
	if o.Budget <= 0 {
		return cfg, usageError("capacity: --budget must be > 0")
	}
	if !changed("min") {
		cfg.Min = capacity.DefaultMin(cfg.SLOs, o.Budget, o.Max)
	}
	spec, err := o.Model.spec()
	if err != nil {
		return cfg, err
	}
	cfg.Forecast = capacity.ModelForecaster(spec)
	if err := cfg.Validate(); err != nil {
		return cfg, usageError("capacity: %v", err)
	}
	return cfg, nil
}

// writeCapacity writes the JSON, the reports and the summary (to stdout,
// or stderr when stdout carries a document).
func writeCapacity(e *env, doc *result.Capacity, out string, files report.Outputs) error {
	summary := e.stdout
	if out == "-" || files.UsesStdout() {
		summary = e.stderr
	}
	var err error
	if out == "-" {
		err = result.WriteCapacity(e.stdout, doc)
	} else if out != "" {
		err = result.WriteCapacityFile(out, doc)
	}
	if werr := report.WriteCapacityOutputs(doc, files, e.stdout); werr != nil && err == nil {
		err = werr
	}
	if werr := report.CapacityText(summary, doc); werr != nil && err == nil {
		err = werr
	}
	return err
}

// capacityProgress is the live line on a terminal: the probe, its rate
// and phase, the search's time against its budget, and the run's counts.
type capacityProgress struct {
	e      *env
	budget float64
	mu     sync.Mutex
	last   capacity.Event
}

func (p *capacityProgress) event(ev capacity.Event) {
	p.mu.Lock()
	p.last = ev
	p.mu.Unlock()
	if ev.Phase == "done" {
		fmt.Fprintf(p.e.stderr, "\r\033[Kprobe %d @ %s rps: %s\n", ev.Probe, numfmt.Rate(ev.Rate), ev.Verdict)
	}
}

func (p *capacityProgress) progress(pr run.Progress, final bool) {
	if final {
		fmt.Fprint(p.e.stderr, "\r\033[K")
		return
	}
	p.mu.Lock()
	ev := p.last
	p.mu.Unlock()
	what := "probe"
	if ev.Overload {
		what = "overload probe"
	}
	fmt.Fprintf(p.e.stderr, "\r\033[K%s %d @ %s rps (%s)  %s / %s budget  sent %d  in flight %d  not sent %d",
		what, ev.Probe, numfmt.Rate(ev.Rate), ev.Phase, numfmt.Duration(ev.Elapsed.Seconds()+pr.Elapsed.Seconds()),
		numfmt.Duration(p.budget), pr.Sent, pr.Now, pr.NotSent)
}
