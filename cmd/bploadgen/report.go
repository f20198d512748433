package main

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/report"
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

const reportLong = `Re-render a saved result (run -o RESULT.json). Without an output flag it prints
the text summary that run prints; with one or more, it writes those files and
prints nothing. FILE "-" is standard output (for one of them); RESULT.json
"-" is standard input. The files are byte for byte what run --html/--junit/
--md/--csv/--hlog wrote for the same result.

  --html   one self-contained HTML file: charts of rate, outcomes, latency
           and in-flight over time, the target's scraped metrics, the
           percentile spectrum per stage, the knee with the queueing model's
           prediction, and tables. No script; nothing is fetched when opened.
  --junit  JUnit XML for Jenkins, GitLab and GitHub test reporters
  --md     Markdown: verdict, per-stage table, assertion verdicts
  --csv    the timeline: counts, outcomes, percentiles (s), in flight, rates,
           scraped metrics as scrape:NAME columns
  --hlog   HdrHistogram interval log, one interval per window; values are
           nanoseconds (HdrHistogram's tools: output value unit ratio 1e6 for
           milliseconds); tagged latency_2xx and service_time intervals too

An unreadable or invalid result is a usage error (2); an output that cannot
be written is exit 3.

` + exitCodeHelp

func newReportCmd(e *env, runF func(*reportOptions) error) *cobra.Command {
	opts := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report RESULT.json",
		Short: "Re-render a saved result: text, HTML, JUnit, Markdown, CSV, HdrHistogram log",
		Long:  reportLong,
		Example: `  bploadgen report result.json
  bploadgen report result.json --html report.html --junit junit.xml
  bploadgen report result.json --md - >> "$GITHUB_STEP_SUMMARY"
  bploadgen run http://127.0.0.1:8080/ --rate 100 --duration 10s -o - | bploadgen report - --html r.html`,
		Args: exactArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			opts.Result = args[0]
			if runF != nil {
				return runF(opts)
			}
			return reportRun(e, opts)
		},
	}
	opts.addFlags(cmd.Flags())
	return cmd
}

// reportRun reads the result and renders it.
func reportRun(e *env, o *reportOptions) error {
	files := o.Outputs
	files.Name = flagName
	if err := files.Validate(); err != nil {
		return usageError("report: %v", err)
	}
	r, err := readResult(e, o.Result)
	if err != nil {
		return usageError("report: %v", err)
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
