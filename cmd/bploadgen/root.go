package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/redact"
)

// Main runs bploadgen with args and returns the exit code. Every error is
// printed once, as one line on stderr.
func Main(ctx context.Context, args []string, e *env) int {
	root := newRootCmd(e)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err != nil && !silent(err) {
		fmt.Fprintf(e.stderr, "bploadgen: %s\n", redact.Text(message(err)))
	}
	return exitCode(err)
}

func newRootCmd(e *env) *cobra.Command {
	root := &cobra.Command{
		Use:           "bploadgen",
		Short:         "Open-loop HTTP load generator and capacity analyser",
		Long:          longHelp("bploadgen") + exitCodeHelp(),
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          noArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return asUsage(err) })
	root.AddCommand(
		newRunCmd(e, nil),
		newDemoCmd(e, nil),
		newTargetCmd(e, nil),
		newReportCmd(e, nil),
		newAnalyzeCmd(e, nil),
		newSizeCmd(e, nil),
		newCapacityCmd(e, nil),
		newCompareCmd(e, nil),
		newMergeCmd(e, nil),
		newVersionCmd(e),
	)
	for _, c := range root.Commands() {
		c.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return asUsage(err) })
	}
	return root
}

// noArgs rejects positional arguments as a usage error.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usageError("%sunexpected argument %q", cmdPrefix(cmd), args[0])
	}
	return nil
}

// exactArgs is cobra.ExactArgs with a usage error.
func exactArgs(n int) cobra.PositionalArgs { return rangeArgs(n, n) }

// rangeArgs is cobra.RangeArgs with a usage error.
func rangeArgs(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) >= min && len(args) <= max:
			return nil
		case min == max:
			return usageError("%swant %d argument(s), got %d (see --help)", cmdPrefix(cmd), min, len(args))
		}
		return usageError("%swant %d to %d argument(s), got %d (see --help)", cmdPrefix(cmd), min, max, len(args))
	}
}

// cmdPrefix is "run: " for a subcommand and "" for the root, to start messages.
func cmdPrefix(cmd *cobra.Command) string {
	if !cmd.HasParent() {
		return ""
	}
	return cmd.Name() + ": "
}

// command finishes c, a subcommand whose flags bind into opts: it adds
// the flags, and running c binds the arguments (bind; nil: none), then
// hands opts to runF (a test's) or, when runF is nil, carries the command
// out (run).
func command[O interface{ addFlags(*pflag.FlagSet) }](c *cobra.Command, opts O, runF func(O) error,
	bind func(cmd *cobra.Command, args []string) error, run func(ctx context.Context) error) *cobra.Command {
	opts.addFlags(c.Flags())
	c.RunE = func(cmd *cobra.Command, args []string) error {
		if bind != nil {
			if err := bind(cmd, args); err != nil {
				return err
			}
		}
		if runF != nil {
			return runF(opts)
		}
		return run(cmd.Context())
	}
	return c
}
