package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/analysis/textout"
	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
	"github.com/bploadgen/bploadgen/internal/scrape"
)

// runRun carries out `run`: plan, preflight, engine, result, outputs, gate.
func runRun(ctx context.Context, e *env, o *runOptions) error {
	pl, err := resolvePlan(o)
	if err != nil {
		return asUsage(err)
	}
	if o.Scrape != "" {
		if err := profile.ValidateURL(o.Scrape); err != nil {
			return usageError("--scrape: %v", err)
		}
	}
	modelGiven := o.Model.changed != nil && (o.Model.changed("workers") || o.Model.changed("queue") ||
		o.Model.changed("unbounded") || o.Model.changed("service-time") || o.Model.changed("service-scv"))
	spec, err := o.Model.spec()
	if err != nil {
		return err
	}
	files := report.Outputs{HTML: o.HTML, JUnit: o.JUnit, CSV: o.CSV, HLog: o.HLog, Markdown: o.MD}
	if err := checkOutputs(o.Out, files); err != nil {
		return asUsage(err)
	}
	if err := checkWritable(o.Out, files); err != nil {
		return runFailed(err)
	}
	if err := resolveHost(ctx, e.lookupHost, pl.request.URL); err != nil {
		return runFailed(err)
	}
	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return runFailed(err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return runFailed(err)
		}
		defer pprof.StopCPUProfile()
	}
	ro := runtimeOptions{grace: o.Grace, http2: o.HTTP2, insecure: o.Insecure, quiet: o.Quiet,
		scrape: o.Scrape, scrapeMetrics: o.ScrapeMetrics, client: openloop.Client(o.Client)}
	if o.LogRequests != "" {
		f, err := os.Create(o.LogRequests)
		if err != nil {
			return runFailed(fmt.Errorf("--log-requests: %v", unwrapPathError(err)))
		}
		defer f.Close()
		ro.requestLog = openloop.NewRequestLog(f)
	}
	res, err := execute(ctx, e, pl, ro)
	if ro.requestLog != nil {
		if cerr := ro.requestLog.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("--log-requests: %w", cerr)
		}
	}
	if err != nil {
		return runFailed(err)
	}
	res.Analysis = runAnalysis(e, res, spec, modelGiven)
	return finish(e, res, pl.asserts, o.Out, files, modelGiven)
}

// runtimeOptions are the run settings that are not part of the plan.
type runtimeOptions struct {
	grace           time.Duration
	http2, insecure bool
	quiet           bool
	scrape          string
	scrapeMetrics   []string
	client          openloop.Client
	requestLog      *openloop.RequestLog
}

// execute runs the plan against the target and returns the result, with
// the assertions not yet evaluated.
func execute(ctx context.Context, e *env, pl *runPlan, ro runtimeOptions) (*result.Result, error) {
	segs := make([]schedule.Segment, len(pl.stages))
	for i, s := range pl.stages {
		segs[i] = schedule.Segment{Duration: s.Duration, From: s.Rate, To: s.To}
	}
	sched, err := schedule.New(segs, pl.arrival, schedule.NewRand(pl.seed), uint64(pl.seed), pl.shard)
	if err != nil {
		return nil, err
	}
	header := http.Header{}
	for _, h := range pl.request.Headers {
		header.Add(h.Name, h.Value)
	}
	doer, client, err := openloop.NewDoer(ro.client, openloop.HTTPConfig{
		Method: pl.request.Method, URL: pl.request.URL, Header: header, Body: pl.request.Body,
		Timeout: pl.timeout, MaxConns: pl.maxInFlight, HTTP2: ro.http2, Insecure: ro.insecure,
		PeakRate: peakRate(pl.stages) / float64(max(pl.shard.Count, 1)),
	})
	if err != nil {
		return nil, asUsage(err)
	}
	defer doer.Close()
	sec := runSecrets(pl, ro.scrape)
	cfg := openloop.Config{
		Schedule: sched, Doer: doer, MaxInFlight: pl.maxInFlight, Grace: ro.grace,
		Clock: openloop.SystemClock{}, Redact: sec.String, StartAt: pl.startAt,
		EventLoop: client == openloop.ClientLoop,
	}
	if ro.requestLog != nil {
		cfg.OnDone = ro.requestLog.Record
	}
	eng, err := openloop.New(cfg)
	if err != nil {
		return nil, err
	}
	stopProgress := func() {}
	if e.stderrIsTerminal && !ro.quiet {
		stopProgress = startProgress(e.stderr, eng)
	}
	var sc *scrape.Scraper
	stopScrape := func() {}
	if ro.scrape != "" {
		sc = scrape.New(ro.scrape, ro.scrapeMetrics)
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		start := time.Now()
		if pl.startAt.After(start) {
			start = pl.startAt
		}
		go func() { defer close(done); sc.Loop(sctx, start, time.Second) }()
		stopScrape = func() { cancel(); <-done }
	}
	rec := eng.Run(ctx)
	stopScrape()
	stopProgress()
	r := buildResult(pl, rec)
	r.Client = string(client)
	r.Connections, r.Retries = doer.Dials()
	if sc != nil {
		r.Warnings = append(r.Warnings, sc.Apply(r.Timeline)...)
	}
	r.Redact(sec)
	return r, nil
}

// buildResult adds the run's metadata to the engine's recording.
func buildResult(pl *runPlan, rec *openloop.Recording) *result.Result {
	ver, commit, goVer := buildInfo()
	r := &result.Result{
		Schema: result.Schema,
		Tool:   result.Tool{Name: "bploadgen", Version: ver, Commit: commit, Go: goVer},
		Target: result.Target{
			URL:       profile.RedactURL(pl.request.URL),
			Method:    pl.request.Method,
			Headers:   profile.RedactHeaders(pl.request.Headers),
			BodyBytes: len(pl.request.Body),
		},
		Arrival:          pl.arrival.String(),
		Seed:             pl.seed,
		StartedAt:        rec.StartedAt.UTC().Round(time.Millisecond),
		ElapsedS:         rec.Elapsed.Seconds(),
		Interrupted:      rec.Interrupted,
		Plan:             result.Plan{Profile: pl.kind},
		MaxInFlight:      pl.maxInFlight,
		TimeoutS:         pl.timeout.Seconds(),
		GeneratorLimited: rec.GeneratorLimited(),
		Warnings:         rec.Warnings,
		HDR:              result.DefaultHDRConfig(),
		Stages:           rec.Stages,
		Total:            rec.Total,
		Timeline:         rec.Timeline,
		Samples:          rec.Samples,
	}
	var start time.Duration
	for i, s := range pl.stages {
		r.Plan.Stages = append(r.Plan.Stages, result.PlanStage{Name: s.Name, StartS: start.Seconds(),
			DurationS: s.Duration.Seconds(), Rate: s.Rate, To: s.To})
		start += s.Duration
		r.Stages[i].Name = s.Name
	}
	r.DurationS = start.Seconds()
	if pl.shard.Count > 1 {
		r.Shard = &result.Shard{Index: pl.shard.Index, Count: pl.shard.Count}
	}
	return r
}

// finish evaluates the gates, writes every output, prints the summary and
// decides the exit: 130 if interrupted, 3 if an output failed, 1 if a gate failed.
func finish(e *env, r *result.Result, asserts []assert.Expr, out string, files report.Outputs, printAnalysis bool) error {
	as, err := assert.Evaluate(r, asserts)
	if err != nil {
		return runFailed(fmt.Errorf("evaluating assertions: %w", err))
	}
	r.Assertions = as
	r.Redact(nil) // the run's secrets went at building time; this is the writers' pass
	// Whatever goes to stdout (-o - or one report as -) pushes the
	// summary to stderr.
	summary := e.stdout
	if out == "-" || usesStdout(files) {
		summary = e.stderr
	}
	var writeErr error
	if out == "-" {
		writeErr = result.Write(e.stdout, r)
	} else if out != "" {
		writeErr = result.WriteFile(out, r)
	}
	if err := report.WriteOutputs(r, files, e.stdout); err != nil && writeErr == nil {
		writeErr = err
	}
	if err := report.Text(summary, r); err != nil && writeErr == nil {
		writeErr = err
	}
	if printAnalysis && r.Analysis != nil {
		fmt.Fprintln(summary)
		if err := textout.Write(summary, "this run", r, r.Analysis); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	// The summary ends with the warnings; repeat them on stderr unless
	// the summary already went to the same screen.
	if summary != e.stderr && !(e.stdoutIsTerminal && e.stderrIsTerminal) {
		for _, w := range r.Warnings {
			fmt.Fprintf(e.stderr, "bploadgen: warning: %s\n", w)
		}
	}
	switch {
	case r.Interrupted:
		if writeErr != nil {
			fmt.Fprintf(e.stderr, "bploadgen: %v\n", writeErr)
		}
		return errInterrupted
	case writeErr != nil:
		return runFailed(writeErr)
	case !assert.AllPass(as):
		return errAssertions
	}
	return nil
}

// peakRate is the highest rate of the plan, requests per second.
func peakRate(stages []profile.Stage) float64 {
	var m float64
	for _, s := range stages {
		m = max(m, s.Rate, s.To)
	}
	return m
}

// runAnalysis is the capacity analysis of a run: with the model given, or
// estimated (nil when nothing sensible can be estimated). It never fails the
// run; a problem becomes a warning.
func runAnalysis(e *env, r *result.Result, spec analysis.ModelSpec, given bool) *result.Analysis {
	var a *result.Analysis
	var err error
	if given {
		a, err = analysis.Analyze(r, spec)
	} else {
		a, err = analysis.Auto(r)
	}
	if err != nil {
		r.Warnings = append(r.Warnings, "capacity analysis: "+err.Error())
		return nil
	}
	return a
}

// checkOutputs rejects two outputs to the same place.
func checkOutputs(out string, files report.Outputs) error {
	if err := files.Validate(); err != nil {
		return err
	}
	if out == "-" && usesStdout(files) {
		return fmt.Errorf("-o - and a report to - both write to standard output: pick one")
	}
	return nil
}

func usesStdout(files report.Outputs) bool {
	for _, p := range []string{files.HTML, files.JUnit, files.CSV, files.HLog, files.Markdown} {
		if p == "-" {
			return true
		}
	}
	return false
}

// checkWritable fails early, before anything is sent, when an output
// cannot be created.
func checkWritable(out string, files report.Outputs) error {
	for _, p := range []string{out, files.HTML, files.JUnit, files.CSV, files.HLog, files.Markdown} {
		if p == "" || p == "-" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return fmt.Errorf("%s: is a directory", p)
		}
		f, err := os.CreateTemp(filepath.Dir(p), ".bploadgen-check-*")
		if err != nil {
			return fmt.Errorf("%s: cannot write here: %v", p, unwrapPathError(err))
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}

func unwrapPathError(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// resolveHost checks that the target's host name resolves (exit 3 if not).
func resolveHost(ctx context.Context, lookup func(context.Context, string) ([]string, error), raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := lookup(ctx, host); err != nil {
		return fmt.Errorf("cannot resolve the target's host %q: %v", host, err)
	}
	return nil
}

// runSecrets are the secret values a run was given: the target URL's
// credentials and secret query values, secret-named headers' values, and
// the scrape URL's. Every output hides them wherever they show up.
func runSecrets(pl *runPlan, scrapeURL string) *redact.Secrets {
	sec := &redact.Secrets{}
	sec.AddURL(pl.request.URL)
	for _, h := range pl.request.Headers {
		sec.AddHeader(h.Name, h.Value)
	}
	sec.AddURL(scrapeURL)
	return sec
}

// startProgress prints a live one-line progress display until stopped.
func startProgress(w io.Writer, eng *openloop.Engine) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-done:
				fmt.Fprint(w, "\r\033[K")
				return
			case <-t.C:
				p := eng.Progress()
				fmt.Fprintf(w, "\r\033[K%6.1fs / %s  sent %d  in flight %d  done %d  not sent %d",
					p.Elapsed.Seconds(), p.Planned, p.Sent, p.Now, p.Done, p.NotSent)
			}
		}
	}()
	return func() { close(done); <-finished }
}
