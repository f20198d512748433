package analysis

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

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

// retriesSent is how many retries r's clients sent (0 without retries).
func retriesSent(r *result.Result) int64 {
	if a := r.Total.Attempts; a != nil {
		return a.Retries
	}
	return 0
}

// recogniseRetried is the recognition of a run whose clients retried: a
// stage's 503s and latencies are its logical requests' final outcomes,
// measured across the waits between attempts, not what the target
// answered each attempt, so no mechanism's model of the target applies to
// them (against nginx limit_req with Retry-After: 1 honoured, the 503s
// that came back after three one-second waits read as a 3 s queue
// timeout). The mechanism is unknown, and the evidence says why.
func (an *analyzer) recogniseRetried(rc *recognition, retries int64) {
	rc.best = candidate{mech: mechUnknown}
	rc.cands = []result.Candidate{{Mechanism: mechUnknown, Probability: 1}}
	rc.confidence = 1
	rc.evidence = append(rc.evidence, fmt.Sprintf(result.UnknownRetried+" (%s retries): a stage's 503s and latencies are its requests' final outcomes, across the waits between attempts, not the target's answers to each attempt, so they cannot tell how it sheds; recognise that from a run without client retries",
		numfmt.Int(retries)))
}
