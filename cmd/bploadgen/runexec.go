package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/pprof"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/run"
)

// runRun carries out `run`: plan, preflight, run.Execute, outputs, gate.
func runRun(ctx context.Context, e *env, o *runOptions) error {
	pl, err := o.plan()
	if err != nil {
		return err
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
	files := report.Outputs{HTML: o.HTML, JUnit: o.JUnit, CSV: o.CSV, HLog: o.HLog, Markdown: o.MD, Name: flagName}
	if err := checkOutputs(o.Out, files); err != nil {
		return asUsage(err)
	}
	if err := files.CheckWritable(o.Out); err != nil {
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
	opts := run.Options{Tool: toolInfo(), Client: openloop.Client(o.Client), HTTP2: o.HTTP2, Insecure: o.Insecure,
		Grace: o.Grace, Scrape: o.Scrape, ScrapeMetrics: o.ScrapeMetrics, LookupHost: e.lookupHost,
		Progress: e.progress(o.Quiet)}
	if modelGiven {
		opts.Analyze = run.WithModel(spec)
	}
	if o.LogRequests != "" {
		f, err := os.Create(o.LogRequests)
		if err != nil {
			return runFailed(fmt.Errorf("--log-requests: %v", unwrapPathError(err)))
		}
		defer f.Close()
		opts.RequestLog = openloop.NewRequestLog(f)
	}
	fe, closeStream, err := o.liveOptions(e, &opts, files)
	if err != nil {
		return err
	}
	res, err := run.Execute(ctx, pl, opts)
	if cerr := closeStream(); cerr != nil && err == nil {
		err = fmt.Errorf("--stream: %w", cerr)
	}
	if opts.RequestLog != nil {
		if cerr := opts.RequestLog.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("--log-requests: %w", cerr)
		}
	}
	if err != nil {
		return runFailed(err)
	}
	return finish(fe, res, o.Out, files, modelGiven)
}

// progress is the live one-line display of a run on a terminal, or nil.
func (e *env) progress(quiet bool) func(run.Progress, bool) {
	if !e.stderrIsTerminal || quiet {
		return nil
	}
	return func(p run.Progress, final bool) {
		if final {
			fmt.Fprint(e.stderr, "\r\033[K")
			return
		}
		fmt.Fprintf(e.stderr, "\r\033[K%6.1fs / %s  sent %d  in flight %d  done %d  not sent %d",
			p.Elapsed.Seconds(), p.Planned, p.Sent, p.Now, p.Done, p.NotSent)
	}
}

// finish writes every output, prints the summary and decides the exit:
// 130 if interrupted, 3 if an output failed, 1 if a gate failed.
func finish(e *env, r *result.Result, out string, files report.Outputs, printAnalysis bool) error {
	r.Redact(nil) // the run's secrets went at building time; this is the writers' pass
	// Whatever goes to stdout (-o - or one report as -) pushes the
	// summary to stderr.
	summary := e.stdout
	if out == "-" || files.UsesStdout() {
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
		if err := report.AnalysisText(summary, "this run", r, r.Analysis); err != nil && writeErr == nil {
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
	case !assert.AllPass(r.Assertions):
		return errAssertions
	}
	return nil
}

// checkOutputs rejects two outputs to the same place.
func checkOutputs(out string, files report.Outputs) error {
	if err := files.Validate(); err != nil {
		return err
	}
	if out == "-" && files.UsesStdout() {
		return fmt.Errorf("-o - and a report to - both write to standard output: pick one")
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
