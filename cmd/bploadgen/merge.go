package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
)

// mergeOptions is everything `merge` takes from its arguments and flags.
type mergeOptions struct {
	Inputs  []string // result files, in order
	Out     string   // -o: the merged result; "-" for stdout
	Asserts []string // --assert: gates to evaluate on the merged result
}

func (o *mergeOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVarP(&o.Out, "out", "o", "", "write the merged result here (required; - for stdout)")
	fs.StringArrayVar(&o.Asserts, "assert", nil,
		"gate on the merged result, as run --assert (repeatable; default: the inputs' recorded assertions)")
}

func newMergeCmd(e *env, runF func(*mergeOptions) error) *cobra.Command {
	opts := &mergeOptions{}
	return command(&cobra.Command{
		Use:     "merge A.json B.json ... -o OUT.json",
		Short:   "Merge the results of several generator processes (shards) exactly",
		Long:    longHelp("merge") + exitCodeHelp(),
		Example: examples("merge"),
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageError("merge: give the result files to merge (see --help)")
			}
			return nil
		},
	}, opts, runF, func(_ *cobra.Command, args []string) error {
		opts.Inputs = args
		if opts.Out == "" {
			return usageError("merge: -o OUT.json is required (- for stdout)")
		}
		return nil
	}, func(context.Context) error { return mergeRun(e, opts) })
}

// mergeRun reads, merges, gates and writes. Exit codes: 2 for unreadable or
// incompatible inputs and bad assertions, 3 when the output cannot be
// written, 1 when a gate failed.
func mergeRun(e *env, o *mergeOptions) error {
	exprs, err := assert.ParseAll(o.Asserts)
	if err != nil {
		return usageError("merge: %v", err)
	}
	if err := (report.Outputs{}).CheckWritable(o.Out); err != nil {
		return runFailed(fmt.Errorf("merge: %w", err))
	}
	rs, err := result.ReadRedacted(nil, o.Inputs...)
	if err != nil {
		return usageError("merge: %v", err)
	}
	if len(o.Asserts) == 0 {
		exprs = nil // the inputs' recorded assertions
	}
	m, err := merge.Gated(rs, exprs)
	var ie *merge.InputError
	switch {
	case errors.As(err, &ie):
		return usageError("merge: %s", ie.Format(o.Inputs))
	case errors.Is(err, merge.ErrRecordedAssert):
		return usageError("merge: %v; choose the gates with --assert", err)
	case err != nil:
		return usageError("merge: %v", err)
	}
	werr := e.delivery(o.Out, report.Outputs{}).WriteResult(m, false) // -o, then the summary
	if werr != nil {
		werr = fmt.Errorf("merge: %w", werr)
	}
	return outcome(e, false, werr, !assert.AllPass(m.Assertions))
}
