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
	var out []result.Metastability
	for _, m := range CheckMetastability(stages, retryWindows(r), r.RetryPolicy.MaxDelay()) {
		out = append(out, result.Metastability{Stage: m.Index + 1, Name: m.Stage, Verdict: m.Verdict, FromS: m.FromS,
			FirstRPS: m.FirstRPS, AttemptRPS: m.AttemptRPS, Factor: m.Factor, RecoveryS: m.RecoveryS})
	}
	return out
}

// retryWindows are the result's timeline windows with attempt counts.
func retryWindows(r *result.Result) []RetryWindow {
	var windows []RetryWindow
	for _, w := range r.Timeline {
		if w.Attempts == nil {
			continue
		}
		windows = append(windows, RetryWindow{StartS: w.TS, DurationS: w.DurationS, First: w.Attempts.First, Attempts: w.Attempts.Count})
	}
	return windows
}

// Recovery is RecoveryTime over a result's timeline: how long after fromS
// (s from the run's start) its attempt rate came back within 10% of its
// first-attempt rate to the run's end. ok is false when it did not, or
// when the result has no attempt counts (its clients did not retry).
// Retries sent after the plan's end count in the timeline's last window.
func Recovery(r *result.Result, fromS float64) (s float64, ok bool) {
	return RecoveryTime(retryWindows(r), fromS)
}
