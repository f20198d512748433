package analysis

import (
	"strings"
	"testing"
)

// TestCalibration runs the fake engine on the demo's M/M/8/24 many times
// and checks both halves of an honest verdict:
//
//   - coverage: when the model is right, a judged check disagrees at most
//     about as often as the 95% level allows (the bands sum several
//     95% allowances, so in practice less);
//   - power: when E[S] is given 15% too high, the loaded stages disagree.
//
// The seeds are fixed, so the counts are deterministic.
func TestCalibration(t *testing.T) {
	t.Parallel()
	seeds := 10
	if testing.Short() || raceEnabled {
		seeds = 4
	}
	judged, wrong, none := 0, 0, 0
	for seed := 1; seed <= seeds; seed++ {
		a := mustAnalyze(t, demoSynth(uint64(100+seed)).result(t), known)
		for _, s := range a.Stages {
			for name, c := range checks(s) {
				switch {
				case c.Agree == nil:
					none++
				case *c.Agree:
					judged++
				default:
					judged++
					wrong++
					t.Logf("seed %d stage %d %s: %+v", seed, s.Index, name, c)
				}
			}
		}
	}
	t.Logf("right model: %d judged, %d disagree, %d insufficient", judged, wrong, none)
	if float64(wrong) > 0.05*float64(judged) || judged < none {
		t.Errorf("right model: %d of %d judged checks disagree (%d insufficient)", wrong, judged, none)
	}

	caught, loaded := 0, 0
	high := known
	high.ServiceMean = 0.0115
	for seed := 1; seed <= seeds; seed++ {
		s := demoSynth(uint64(200 + seed))
		s.noST = true // the given E[S] is then the user's word: δS = 0
		a := mustAnalyze(t, s.result(t), high)
		for _, st := range a.Stages[2:] {
			for _, c := range checks(st) {
				loaded++
				if c.Agree != nil && !*c.Agree {
					caught++
				}
			}
		}
	}
	t.Logf("E[S] 15%% high: %d of %d loaded-stage checks disagree", caught, loaded)
	if float64(caught) < 0.8*float64(loaded) {
		t.Errorf("E[S] 15%% high: only %d of %d loaded-stage checks disagree", caught, loaded)
	}
}

// TestGrowthWithoutSteadyState: an unbounded queue in overload has no
// percentiles to predict; the analysis reports the growth instead.
func TestGrowthWithoutSteadyState(t *testing.T) {
	t.Parallel()
	s := synth{c: 8, mean: 0.01, rates: []float64{400, 880}, stageDur: 5, seed: 13}
	a := mustAnalyze(t, s.result(t), ModelSpec{Workers: 8, Unbounded: true})
	st := a.Stages[1]
	g := st.Growth
	// ρ = 880·0.01/8 = 1.1: the wait grows 0.1 s per second of run, the
	// backlog by 80 requests a second; the observed slope of the mean
	// latency is of that size.
	if g == nil || !strings.HasPrefix(st.Verdict, "no steady state") || st.Agreement.ResponseP99S != nil ||
		g.PredictedLatencySPerS < 0.05 || g.ObservedLatencySPerS < 0.03 || g.ObservedLatencySPerS > 0.2 {
		t.Fatalf("growth %+v verdict %q agreement %+v", g, st.Verdict, st.Agreement)
	}
	if c := st.Agreement.BlockRatio; c == nil || c.Predicted != 0 || c.Observed != 0 {
		t.Errorf("an unbounded queue rejects nothing: %+v", c)
	}
}
