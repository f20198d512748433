package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
)

// reportOptions is everything `report` takes from its arguments and flags.
type reportOptions struct {
	Result  string         // RESULT.json, or "-" for standard input
	Outputs report.Outputs // --html --junit --md --csv --hlog
}

func (o *reportOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Outputs.HTML, "html", "", "write the self-contained HTML report with charts to `FILE`")
	fs.StringVar(&o.Outputs.JUnit, "junit", "", "write the assertions as JUnit XML to `FILE` (one testcase per assertion)")
	fs.StringVar(&o.Outputs.Markdown, "md", "", "write a Markdown summary to `FILE` (for $GITHUB_STEP_SUMMARY or a PR comment)")
	fs.StringVar(&o.Outputs.CSV, "csv", "", "write the timeline, one row per window, as CSV to `FILE`")
	fs.StringVar(&o.Outputs.HLog, "hlog", "", "write the latency histograms as an HdrHistogram interval log to `FILE`")
}

func newReportCmd(e *env, runF func(*reportOptions) error) *cobra.Command {
	opts := &reportOptions{}
	return command(&cobra.Command{
		Use:     "report RESULT.json",
		Short:   "Re-render a saved result: text, HTML, JUnit, Markdown, CSV, HdrHistogram log",
		Long:    longHelp("report") + exitCodeHelp(),
		Example: examples("report"),
		Args:    exactArgs(1),
	}, opts, runF, func(_ *cobra.Command, args []string) error {
		opts.Result = args[0]
		return nil
	}, func(context.Context) error { return reportRun(e, opts) })
}

// reportRun reads the result (or a capacity search's document) and
// renders it.
func reportRun(e *env, o *reportOptions) error {
	files := o.Outputs
	files.Name = flagName
	if err := files.Validate(); err != nil {
		return usageError("report: %v", err)
	}
	r, c, err := result.ReadDocumentRedacted(e.stdin, o.Result)
	if err != nil {
		return usageError("report: %v", err)
	}
	if c != nil {
		return reportCapacity(e, o, c, files)
	}
	if files.Empty() {
		if err := report.Text(e.stdout, r); err != nil {
			return runFailed(fmt.Errorf("report: %w", err))
		}
		return nil
	}
	if err := report.WriteOutputs(r, files, e.stdout); err != nil {
		if errors.Is(err, report.ErrInvalidResult) {
			return usageError("report: %s: %v", o.Result, err)
		}
		return runFailed(fmt.Errorf("report: %w", err))
	}
	return nil
}

// reportCapacity renders a capacity search's document: its summary as
// `capacity` prints it, or its HTML, JUnit and Markdown (it has no
// timeline for --csv or --hlog: a usage error).
func reportCapacity(e *env, o *reportOptions, c *result.Capacity, files report.Outputs) error {
	if files.CSV != "" || files.HLog != "" {
		return usageError("report: %s is a capacity search: it renders as text, --html, --junit and --md, not --csv or --hlog", o.Result)
	}
	if files.Empty() {
		if err := report.CapacityText(e.stdout, c); err != nil {
			return runFailed(fmt.Errorf("report: %w", err))
		}
		return nil
	}
	if err := report.WriteCapacityOutputs(c, files, e.stdout); err != nil {
		return runFailed(fmt.Errorf("report: %w", err))
	}
	return nil
}
