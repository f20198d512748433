package main

import (
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/run"
)

// addMixFlags binds run's request-set flags (docs/cli.md): a targets file,
// a replayed log, and the breakdown by request as CSV.
func addMixFlags(fs *pflag.FlagSet, ov *run.Overrides, files *report.Outputs) {
	fs.StringVar(&ov.Targets, "targets", "", "send a request mix from a vegeta targets file (METHOD URL, header lines, @bodyfile; each target a request of weight 1)")
	fs.StringVar(&ov.Replay, "replay", "", "replay a request log open loop at its logged times (JSON lines; see --replay-format)")
	fs.Float64Var(&ov.ReplaySpeed, "replay-speed", 1, "replay this many times as fast")
	fs.DurationVar(&ov.ReplayStage, "replay-stage", run.DefaultReplayStage, "the length of a replay's stages, of the replay's own time")
	fs.StringVar(&ov.ReplayFormat, "replay-format", "json", "the --replay log's format: json (JSON lines) or combined (NCSA combined access log)")
	fs.StringVar(&files.RequestsCSV, "requests-csv", "", "write the breakdown by request (a mix, targets, replay) as CSV here")
}
