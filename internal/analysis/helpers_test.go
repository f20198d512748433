package analysis

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// demoSynth is the demo's shape: the built-in M/M/8/24 target (E[S] =
// 10 ms, capacity 800 rps) under a Poisson step profile across capacity,
// with a 300 µs client overhead.
func demoSynth(seed uint64) synth {
	return synth{c: 8, k: 24, mean: 0.010, rates: []float64{400, 700, 900, 1100}, stageDur: 5, overhead: 0.0003, seed: seed}
}

// known is the demo target's c and queue.
var known = ModelSpec{Workers: 8, Queue: 16, QueueKnown: true}

func mustAnalyze(t *testing.T, r *result.Result, spec ModelSpec) *result.Analysis {
	t.Helper()
	a, err := Analyze(r, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := json.Marshal(a); err != nil {
		t.Fatalf("analysis does not encode: %v", err)
	}
	return a
}

func hasWarning(a *result.Analysis, sub string) bool {
	for _, w := range a.Warnings {
		if strings.Contains(w, sub) {
			return true
		}
	}
	return false
}

// checks lists a stage's checks by metric.
func checks(s result.StageAnalysis) map[string]*result.Check {
	m := map[string]*result.Check{}
	if a := s.Agreement; a != nil {
		if a.BlockRatio != nil {
			m["block"] = a.BlockRatio
		}
		if a.ResponseMeanS != nil {
			m["mean"] = a.ResponseMeanS
		}
		if a.ResponseP99S != nil {
			m["p99"] = a.ResponseP99S
		}
	}
	return m
}
