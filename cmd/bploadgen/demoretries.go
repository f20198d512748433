package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/demo"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/run"
)

// The flags of each demo: given with the other one, they are a usage error.
var (
	stepDemoFlags  = []string{"from", "to", "steps", "step-duration"}
	retryDemoFlags = []string{"rate", "spike-rate", "spike-at", "spike-for", "duration"}
)

// addRetryDemoFlags binds `demo --retries` and its spike (docs/cli.md).
func addRetryDemoFlags(fs *pflag.FlagSet, o *demoOptions) {
	fs.BoolVar(&o.Retries, "retries", false, "the retry demo instead: a spike, clients that ignore Retry-After against clients that honour it, side by side")
	fs.Float64Var(&o.Retry.Rate, "rate", 0, "--retries: rate before and after the spike (default: half the target's capacity)")
	fs.Float64Var(&o.Retry.SpikeRate, "spike-rate", 0, "--retries: the spike's rate (default: 2.5 × the target's capacity)")
	fs.DurationVar(&o.Retry.SpikeAt, "spike-at", 2*time.Second, "--retries: when the spike starts")
	fs.DurationVar(&o.Retry.SpikeFor, "spike-for", 3*time.Second, "--retries: how long the spike lasts")
	fs.DurationVar(&o.Retry.Duration, "duration", 14*time.Second, "--retries: each run's length")
}

// bindRetries refuses the other demo's flags: the step profile's with
// --retries, the spike's without it.
func (o *demoOptions) bindRetries(fs *pflag.FlagSet) error {
	other, why := retryDemoFlags, "without --retries"
	if o.Retries {
		other, why = stepDemoFlags, "with --retries (its spike is --rate, --spike-rate, --spike-at, --spike-for, --duration)"
	}
	for _, f := range other {
		if fs.Changed(f) {
			return usageError("demo: --%s does not apply %s", f, why)
		}
	}
	return nil
}

// demoRetriesRun runs the retry demo: the spike once per client population
// against a fresh built-in target (demo.RunRetries), each result into
// --out-dir as CLIENTS.json, the side by side into report.html, and the
// side by side on stdout.
func demoRetriesRun(ctx context.Context, e *env, o *demoOptions) error {
	in := o.Retry
	in.Target, in.Arrival, in.Seed, in.Name = o.Target, o.Arrival, o.Seed, flagName
	sc, err := in.Scenario()
	if err != nil {
		return asUsage(err)
	}
	if err := os.MkdirAll(o.OutDir, 0o755); err != nil {
		return runFailed(err)
	}
	html := filepath.Join(o.OutDir, "report.html")
	files := []string{html}
	for _, c := range sc.Clients {
		files = append(files, retryResultPath(o.OutDir, c))
	}
	if err := (report.Outputs{}).CheckWritable(files...); err != nil {
		return runFailed(err)
	}
	fmt.Fprintf(e.stderr, "bploadgen demo --retries: %s\n", sc.Describe())
	runs, err := demo.RunRetries(ctx, sc, run.Options{Tool: toolInfo(), LookupHost: e.lookupHost, Progress: e.progress(o.Quiet), TimerSlack: run.SlackAuto},
		func(c demo.Clients, url string) {
			fmt.Fprintf(e.stderr, "bploadgen demo --retries: %s, target at %s\n", c.Name, url)
		})
	if err != nil && len(runs) == 0 {
		return runFailed(err)
	}
	interrupted := len(runs) < len(sc.Clients) || runs[len(runs)-1].Result.Interrupted
	var werr error
	for i, x := range runs {
		x.Result.Redact(nil)
		werr = errors.Join(werr, result.WriteFile(files[i+1], x.Result))
	}
	werr = errors.Join(werr, report.WriteRetryHTMLFile(html, runs))
	if err := report.WriteRetryText(e.stdout, runs); err != nil {
		return runFailed(err)
	}
	if werr == nil {
		fmt.Fprintf(e.stdout, "\nWrote %s and %s\n", strings.Join(files[1:len(runs)+1], ", "), html)
	}
	if err != nil {
		return runFailed(errors.Join(err, werr))
	}
	return outcome(e, interrupted, werr, false)
}

// retryResultPath is where a population's result goes: ignore.json or
// honor.json (the policy's Retry-After handling, as --retry-after says it).
func retryResultPath(dir string, c demo.Clients) string {
	if c.Policy.HonorRetryAfter {
		return filepath.Join(dir, "honor.json")
	}
	return filepath.Join(dir, "ignore.json")
}
