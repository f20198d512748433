package analysis

import "github.com/bploadgen/bploadgen/internal/result"

// metastability runs CheckMetastability over a result whose clients
// retried: its stages, its windows' first-attempt and attempt counts, and
// the largest retry delay its policy allows (RetryPolicy.MaxDelay). nil
// when the clients did not retry.
func metastability(r *result.Result) []result.Metastability {
	if !r.Retried() {
		return nil
	}
	stages := make([]RetryStage, len(r.Stages))
	for i, s := range r.Stages {
		stages[i] = RetryStage{Name: s.Name, StartS: s.StartS, EndS: s.EndS, OfferedRPS: s.OfferedRPS}
	}
	var windows []RetryWindow
	for _, w := range r.Timeline {
		if w.Attempts == nil {
			continue
		}
		windows = append(windows, RetryWindow{StartS: w.TS, DurationS: w.DurationS, First: w.Attempts.First, Attempts: w.Attempts.Count})
	}
	var out []result.Metastability
	for _, m := range CheckMetastability(stages, windows, r.RetryPolicy.MaxDelay()) {
		out = append(out, result.Metastability{Stage: m.Index + 1, Name: m.Stage, Verdict: m.Verdict, FromS: m.FromS,
			FirstRPS: m.FirstRPS, AttemptRPS: m.AttemptRPS, Factor: m.Factor, RecoveryS: m.RecoveryS})
	}
	return out
}
