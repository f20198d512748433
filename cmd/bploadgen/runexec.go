package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/run"
)

// plan loads the profile file (-f), if any, checks --grace and the other
// options (run.Options.Validate) and resolves the profile and ov, the
// flags given on the command line overriding it, with resolve
// (run.Resolve; capacity.Plan). name is the command's, for the no-target
// message. Every error is invalid input (exit 2).
func (o *sendOptions) plan(name string, ov run.Overrides, resolve func(*profile.Profile, run.Overrides) (*run.Plan, error)) (*run.Plan, error) {
	var prof *profile.Profile
	if o.File != "" {
		p, err := profile.Load(o.File)
		if err != nil {
			return nil, asUsage(err)
		}
		prof = p
	}
	if o.Grace <= 0 {
		return nil, usageError("--grace must be > 0")
	}
	if err := o.Options.Validate(flagName); err != nil {
		return nil, err
	}
	ov.Given = givenBy(o.changed)
	if ov.Name == nil {
		ov.Name = flagName
	}
	pl, err := resolve(prof, ov)
	switch {
	case errors.Is(err, run.ErrNoTarget):
		return nil, usageError("no target: give a URL (%s URL, --url, or target.url in the profile)", name)
	case errors.Is(err, run.ErrNoStages):
		return nil, usageError("no rate plan: give --rate and --duration, another --profile, or a profile file with stages")
	}
	return pl, err
}

// runOptions is how the run pipeline carries the load out: the flags'
// options, this build, the resolver.
func (o *sendOptions) runOptions(e *env) run.Options {
	ro := o.Options
	ro.Tool, ro.LookupHost = toolInfo(), e.lookupHost
	return ro
}

// runRun carries out `run`: plan, preflight, run.Execute, outputs, gate.
func runRun(ctx context.Context, e *env, o *runOptions) error {
	pl, err := o.plan("run", o.Overrides, run.Resolve)
	if err != nil {
		return err
	}
	spec, err := o.Model.spec()
	if err != nil {
		return err
	}
	if err := o.checkFiles(e); err != nil {
		return err
	}
	opts := o.runOptions(e)
	fe, closeStream, err := o.liveOptions(e, &opts)
	if err != nil {
		return err
	}
	defer closeStream() // a second close after the one below is harmless
	d := fe.delivery(o.Out, o.Files)
	if err := d.Files.CheckWritable(o.Out); err != nil {
		return runFailed(err)
	}
	opts.Progress = e.progress(o.Quiet)
	modelGiven := o.Model.input().AnyGiven()
	if modelGiven {
		opts.Analyze = run.WithModel(spec)
	}
	res, err := run.Execute(ctx, pl, opts)
	var file *run.FileError
	if errors.As(err, &file) {
		err = fmt.Errorf("%s: %w", flagName(file.Setting), file.Err)
	}
	if cerr := closeStream(); cerr != nil && err == nil {
		err = fmt.Errorf("--stream: %w", cerr)
	}
	if err != nil {
		return runFailed(err)
	}
	return finish(fe, res, d, modelGiven)
}

// progress is the live one-line display of a run on a terminal, or nil.
func (e *env) progress(quiet bool) func(run.Progress, bool) {
	if !e.stderrIsTerminal || quiet {
		return nil
	}
	return run.ProgressLine(e.liveOut())
}

// delivery sends a command's document to -o OUT and the report files,
// its summary to stdout (stderr when stdout carries a document); errors
// name the flags.
func (e *env) delivery(out string, files report.Outputs) report.Delivery {
	files.Name = func(s string) string {
		if s == "out" {
			return "-o"
		}
		return flagName(s)
	}
	return report.Delivery{Out: out, Files: files, Stdout: e.stdout, Stderr: e.stderr}
}

// finish writes every output, prints the summary and decides the exit:
// 130 if interrupted, 3 if an output failed, 1 if a gate failed.
func finish(e *env, r *result.Result, d report.Delivery, printAnalysis bool) error {
	r.Redact(nil) // the run's secrets went at building time; this is the writers' pass
	writeErr := d.WriteResult(r, printAnalysis)
	// The summary ends with the warnings; repeat them on stderr unless
	// the summary already went to the same screen.
	if d.Summary() != e.stderr && !(e.stdoutIsTerminal && e.stderrIsTerminal) {
		for _, w := range r.Warnings {
			fmt.Fprintf(e.stderr, "bploadgen: warning: %s\n", w)
		}
	}
	return outcome(e, r.Interrupted, writeErr, !assert.AllPass(r.Assertions))
}

// outcome decides the exit of a command that wrote its outputs: 130 when
// interrupted (an output that failed is still said), 3 when an output
// failed, 1 when a gate failed.
func outcome(e *env, interrupted bool, writeErr error, gateFailed bool) error {
	switch {
	case interrupted:
		if writeErr != nil {
			fmt.Fprintf(e.stderr, "bploadgen: %v\n", writeErr)
		}
		return errInterrupted
	case writeErr != nil:
		return runFailed(writeErr)
	case gateFailed:
		return errAssertions
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
