package main

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/compare"
)

// compareOptions is everything `compare` takes from its arguments and flags.
type compareOptions struct {
	Base, New string
	Asserts   []string // --assert: bounds on NEW − BASE
	Markdown  bool     // --md
	JSON      bool     // --json
	Noise     string   // --noise: the relative band of time metrics ("5%")
}

func (o *compareOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&o.Asserts, "assert", nil, "gate on the difference NEW − BASE, e.g. 'p99 < +10%' (repeatable)")
	fs.BoolVar(&o.Markdown, "md", false, "print Markdown (for a pull request comment or a CI job summary)")
	fs.BoolVar(&o.JSON, "json", false, "print JSON")
	fs.StringVar(&o.Noise, "noise", "5%", "smallest relative change of a time metric that counts as significant")
}

const compareLong = `Compare two results side by side, per stage and for the whole run: p50 p90 p99
max mean, 2xx.p99, service.p99, rps, achieved, ratio(503) ratio(5xx)
ratio(errors) ratio(not_sent), with absolute and relative differences and a
verdict per metric: regression, improvement, or ~ (no significant change).

A change is significant when it exceeds its noise: for percentiles, when the
two runs' 95% order-statistic confidence intervals are disjoint; for the mean,
ratios and rps, 3 standard errors of the difference (batch means over the
timeline for ratios, which come in bursts); and for times never less than
--noise (5%) of the base, for rps 1%. max is shown, not judged. Stages are
matched by index; runs with different numbers of stages are compared as whole
runs only.

Without --assert, compare prints the verdict and exits 0. With --assert it
exits 1 when a bound on the difference fails:

  METRIC OP ±VALUE [in SCOPE]     the sign is required: it bounds NEW − BASE
    p99 < +10%                    relative: (new − base)/base < 10%
    p99 < +5ms in each stage      absolute difference of a time
    ratio(503) < +0.5%            for ratios a percent is PERCENTAGE POINTS:
    ratio(503) < +0.5pp           new − base < 0.005 (1% → 1.4% passes)
    rps > -5%                     relative for rps; a plain number is per second
  METRIC as for run --assert; SCOPE: run (default), stage N, each stage.

` + exitCodeHelp

func newCompareCmd(e *env, runF func(*compareOptions) error) *cobra.Command {
	opts := &compareOptions{}
	cmd := &cobra.Command{
		Use:   "compare BASE.json NEW.json",
		Short: "Compare two results side by side; gate on the differences",
		Long:  compareLong,
		Example: `  bploadgen compare main.json pr.json
  bploadgen compare main.json pr.json --assert 'p99 < +10%' --assert 'ratio(503) < +0.5%'
  bploadgen compare main.json pr.json --md >> "$GITHUB_STEP_SUMMARY"`,
		Args: exactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Base, opts.New = args[0], args[1]
			if opts.Markdown && opts.JSON {
				return usageError("compare: choose one of --md and --json")
			}
			if runF != nil {
				return runF(opts)
			}
			return compareRun(e, opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// compareRun reads both results, compares them and prints the report.
// Exit codes: 2 for bad input or assertions, 1 when an assertion failed.
func compareRun(e *env, o *compareOptions) error {
	band, err := compare.ParseBand(o.Noise)
	if err != nil {
		return usageError("compare: --noise %v", err)
	}
	diffs, err := compare.ParseDiffs(o.Asserts)
	if err != nil {
		return usageError("compare: %v", err)
	}
	rs, err := readResultFiles(o.Base, o.New)
	if err != nil {
		return usageError("compare: %v", err)
	}
	rep, err := compare.Options{TimeBand: band, Diffs: diffs}.Compare(rs[0], rs[1])
	if err != nil {
		return usageError("compare: %v", err)
	}
	rep.Base.Name, rep.New.Name = o.Base, o.New
	switch {
	case o.JSON:
		err = rep.WriteJSON(e.stdout)
	case o.Markdown:
		err = rep.WriteMarkdown(e.stdout)
	default:
		err = rep.WriteText(e.stdout)
	}
	if err != nil {
		return runFailed(fmt.Errorf("compare: %w", err))
	}
	if !rep.AllPass() {
		return errAssertions
	}
	return nil
}
