package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/compare"
	"github.com/bploadgen/bploadgen/internal/result"
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

func newCompareCmd(e *env, runF func(*compareOptions) error) *cobra.Command {
	opts := &compareOptions{}
	return command(&cobra.Command{
		Use:     "compare BASE.json NEW.json",
		Short:   "Compare two results side by side; gate on the differences",
		Long:    longHelp("compare") + exitCodeHelp(),
		Example: examples("compare"),
		Args:    exactArgs(2),
	}, opts, runF, func(_ *cobra.Command, args []string) error {
		opts.Base, opts.New = args[0], args[1]
		if opts.Markdown && opts.JSON {
			return usageError("compare: choose one of --md and --json")
		}
		return nil
	}, func(context.Context) error { return compareRun(e, opts) })
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
	rb, cb, err := result.ReadDocumentRedacted(nil, o.Base)
	if err != nil {
		return usageError("compare: %v", err)
	}
	rn, cn, err := result.ReadDocumentRedacted(nil, o.New)
	if err != nil {
		return usageError("compare: %v", err)
	}
	if cb != nil || cn != nil {
		return compareCapacities(e, o, cb, cn)
	}
	rep, err := compare.Options{TimeBand: band, Diffs: diffs}.Compare(rb, rn)
	if err != nil {
		return usageError("compare: %v", err)
	}
	rep.Base.Name, rep.New.Name = o.Base, o.New
	write := rep.WriteText
	if o.JSON {
		write = rep.WriteJSON
	} else if o.Markdown {
		write = rep.WriteMarkdown
	}
	err = write(e.stdout)
	if err != nil {
		return runFailed(fmt.Errorf("compare: %w", err))
	}
	if !rep.AllPass() {
		return errAssertions
	}
	return nil
}

// compareCapacities compares two capacity searches: the capacities, their
// brackets and the backpressure, as text or --json. Gates and Markdown
// are for results.
func compareCapacities(e *env, o *compareOptions, base, next *result.Capacity) error {
	switch {
	case base == nil || next == nil:
		return usageError("compare: one of %s and %s is a capacity search and the other a run's result: compare two of a kind", o.Base, o.New)
	case len(o.Asserts) > 0:
		return usageError("compare: --assert gates results; two capacity searches are compared by their brackets (the verdict)")
	case o.Markdown:
		return usageError("compare: --md is for results; two capacity searches print text or --json")
	}
	rep := compare.Capacities(base, next)
	rep.Base.Name, rep.New.Name = o.Base, o.New
	write := rep.WriteText
	if o.JSON {
		write = rep.WriteJSON
	}
	if err := write(e.stdout); err != nil {
		return runFailed(fmt.Errorf("compare: %w", err))
	}
	return nil
}
