package analysis

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestModelSelection(t *testing.T) {
	t.Parallel()
	det := func(r *rand.Rand) float64 { return 0.010 }
	for _, tc := range []struct {
		name      string
		s         synth
		spec      ModelSpec
		wantName  string
		wantKend  string
		wantTol   float64
		wantQueue string
	}{
		{"Poisson, exp, K given", demoSynth(1), known, "M/M/c/K", "M/M/8/24", 0, "given"},
		{"uniform arrivals", synth{c: 8, k: 24, mean: 0.01, rates: []float64{400, 700}, stageDur: 4, uniform: true, seed: 1},
			known, "G/G/c/K (simulated)", "G/M/8/24", tolSim, "given"},
		{"deterministic service", synth{c: 8, k: 24, mean: 0.01, service: det, rates: []float64{400, 700}, stageDur: 4, seed: 1},
			known, "G/G/c/K (simulated)", "M/D/8/24", tolSim, "given"},
		{"given SCV overrides the measurement", demoSynth(1), ModelSpec{Workers: 8, Queue: 16, QueueKnown: true, ServiceSCV: 0.5, SCVKnown: true},
			"G/G/c/K (simulated)", "M/LN/8/24", tolSim, "given"},
		{"unbounded, M/M", synth{c: 8, mean: 0.01, rates: []float64{300, 500, 700}, stageDur: 4, seed: 1},
			ModelSpec{Workers: 8, Unbounded: true}, "M/M/c", "M/M/8", 0, "unbounded"},
		{"unbounded, uniform", synth{c: 8, mean: 0.01, rates: []float64{300, 500, 700}, stageDur: 4, uniform: true, seed: 1},
			ModelSpec{Workers: 8, Unbounded: true}, "G/G/c (Whitt)", "G/M/8", tolWhitt, "unbounded"},
		// Issue #12: K is recognised from the in-flight level at which the
		// target shed (24 + the refused request, + one on the wire here).
		// (the Kendall string's K is checked by TestQueueRecognised)
		{"K not given, 503s seen", demoSynth(1), ModelSpec{Workers: 8}, "M/M/c/K", "", 0, "estimated"},
		{"K unknown, no 503s", synth{c: 8, k: 24, mean: 0.01, rates: []float64{200, 400}, stageDur: 4, seed: 1},
			ModelSpec{Workers: 8}, "M/M/c", "M/M/8", 0, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := mustAnalyze(t, tc.s.result(t), tc.spec)
			m := a.Model
			if m.Name != tc.wantName || (tc.wantKend != "" && m.Kendall != tc.wantKend) || m.Tolerance != tc.wantTol || m.QueueSource != tc.wantQueue || m.Notes == "" {
				t.Errorf("model %+v", m)
			}
			for _, s := range a.Stages {
				if s.Agreement == nil {
					t.Errorf("stage %d: no prediction (%s)", s.Index, s.Verdict)
				}
			}
		})
	}
}

// TestQueueRecognised: without K the bounded queue is recognised, its K
// read from the in-flight level at which it shed (within its interval of
// the true 24), and every metric is predicted with it.
func TestQueueRecognised(t *testing.T) {
	t.Parallel()
	a := mustAnalyze(t, demoSynth(2).result(t), ModelSpec{Workers: 8})
	sh := a.Shedding
	if sh == nil || sh.Mechanism != mechBoundedQueue || math.Abs(float64(sh.Limit-24)) > sh.LimitCI || sh.Confidence < 0.8 {
		t.Fatalf("shedding %+v", sh)
	}
	if a.Model.SystemCapacity != sh.Limit || a.Model.QueueSource != "estimated" {
		t.Errorf("model %+v, want K = %d (estimated)", a.Model, sh.Limit)
	}
	last := a.Stages[3]
	if b := last.Agreement.BlockRatio; b.Bound != "" || last.Agreement.ResponseP99S == nil {
		t.Errorf("stage 4: %+v", last.Agreement)
	}
}

// TestNonPoissonStageIsSimulated: one stage whose sends came in bursts is
// simulated while the others keep the exact model.
func TestNonPoissonStageIsSimulated(t *testing.T) {
	t.Parallel()
	r := demoSynth(3).result(t)
	r.Stages[1].ArrivalSCV = 1.6
	a := mustAnalyze(t, r, known)
	if a.Model.Name != "M/M/c/K" || !strings.Contains(a.Model.Notes, "stage 2 were not Poisson") {
		t.Fatalf("model %+v", a.Model)
	}
	if n := strings.Join(a.Stages[1].Notes, " "); !strings.Contains(n, "G/G/c/K (simulated)") {
		t.Errorf("stage 2 notes %q", n)
	}
	if c := a.Stages[1].Agreement.BlockRatio; c.ModelTolerance != tolSim*c.Predicted {
		t.Errorf("stage 2 tolerance %g for prediction %g", c.ModelTolerance, c.Predicted)
	}
}

// TestWorkersEstimatedFromPlateau: with c unknown, the busy workers of the
// saturated stages (Server-Timing) give c; without a plateau, nothing.
func TestWorkersEstimatedFromPlateau(t *testing.T) {
	t.Parallel()
	a := mustAnalyze(t, demoSynth(4).result(t), ModelSpec{Queue: 16, QueueKnown: true})
	if a.Model.Workers != 8 || a.Model.WorkersSource != "estimated" || a.Model.SystemCapacity != 24 || (a.CapacitySource != "plateau" && a.CapacitySource != "saturated stage") ||
		!hasWarning(a, "estimated from the throughput plateau") {
		t.Errorf("model %+v capacity %g %s", a.Model, a.CapacityRPS, a.CapacitySource)
	}
	low := synth{c: 8, k: 24, mean: 0.01, rates: []float64{100, 200, 300}, stageDur: 3, seed: 4}
	a = mustAnalyze(t, low.result(t), ModelSpec{})
	if a.Model.Name != "none" || a.CapacityRPS != 0 || a.MaxThroughputRPS < 250 || !hasWarning(a, "no throughput plateau") {
		t.Errorf("model %+v capacity %g max %g warnings %q", a.Model, a.CapacityRPS, a.MaxThroughputRPS, a.Warnings)
	}
	for _, s := range a.Stages {
		if s.Verdict != "observed only (no model)" || s.Little.RateXResponseMean == 0 {
			t.Errorf("stage %d: %q %+v", s.Index, s.Verdict, s.Little)
		}
	}
	if got, err := Auto(low.result(t)); got != nil || err != nil {
		t.Errorf("Auto without a model: %v, %v", got, err)
	}
	if got, err := Auto(demoSynth(4).result(t)); got == nil || err != nil || got.Model.Workers != 8 {
		t.Errorf("Auto on a saturating run: %+v, %v", got, err)
	}
}
