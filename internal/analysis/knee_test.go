package analysis

import (
	"math"
	"strings"
	"testing"
)

func TestKneeThroughput(t *testing.T) {
	t.Parallel()
	s := synth{c: 8, k: 24, mean: 0.01, rates: []float64{200, 400, 600, 800, 1000, 1200}, stageDur: 4, seed: 8}
	a := mustAnalyze(t, s.result(t), known)
	k := a.Knee
	// M/M/8/24 blocks 0.090% at 600 rps, 4.94% at 800 rps (ρ = 1) and
	// 20.2% at 1000 rps (queueing.NewMMCK; docs/queueing.md §3). At ρ = 1
	// the blocking is bursty: whether a 4 s stage shows its 4.94% beyond
	// the 1% allowance AND its batch-means interval depends
	// on the draw (this one: 2.5% ± 4.7%, so no); at 1000 rps it must.
	if k == nil || k.Stage < 4 || k.Stage > 5 || k.Criterion != "throughput" || !strings.Contains(k.Reason, "fell short of the requests sent") || k.KneedleStage == 0 {
		t.Fatalf("knee %+v", k)
	}
	// The saturated last stage measures it (its 2xx throughput over the
	// model's utilisation there); never below what a stage sustained
	// (issue #12: an exponential service's 4 s stage can beat c/E[S] by
	// chance); within the count's noise of c/E[S] (4 s at ~800/s: ±3.5%).
	most := 0.0
	for _, st := range a.Stages {
		most = math.Max(most, st.ThroughputRPS)
	}
	if a.CapacitySource != "saturated stage" || a.CapacityRPS < most || math.Abs(a.CapacityRPS*a.Model.ServiceMeanS/8-1) > 0.035 {
		t.Errorf("capacity %g (%s), sustained %g, c/E[S] %g", a.CapacityRPS, a.CapacitySource, most, 8/a.Model.ServiceMeanS)
	}
}

func TestNoKnee(t *testing.T) {
	t.Parallel()
	s := synth{c: 8, k: 24, mean: 0.01, rates: []float64{100, 200, 300}, stageDur: 4, seed: 9}
	if a := mustAnalyze(t, s.result(t), known); a.Knee != nil {
		t.Errorf("knee %+v below capacity", a.Knee)
	}
}

// TestKneeP99: an unbounded target rejects nothing; overloaded (ρ = 1.1)
// its queue grows by 80 requests a second and its p99 leaves the low-load
// level far behind. (Near but below ρ = 1 a 5 s stage is too short to
// reach its steady-state p99: the relaxation time at ρ = 0.96 is 3.5 s.)
func TestKneeP99(t *testing.T) {
	t.Parallel()
	s := synth{c: 8, mean: 0.01, rates: []float64{200, 500, 700, 880}, stageDur: 5, seed: 10}
	a := mustAnalyze(t, s.result(t), ModelSpec{Workers: 8, Unbounded: true})
	k := a.Knee
	if k == nil || k.Criterion != "p99" || k.Stage < 3 || !strings.Contains(k.Reason, "low-load") {
		t.Fatalf("knee %+v", k)
	}
}

func TestKneedleNeedsThreePoints(t *testing.T) {
	t.Parallel()
	s := synth{c: 8, k: 24, mean: 0.01, rates: []float64{400, 1100}, stageDur: 3, seed: 11}
	data, _ := collect(s.result(t))
	if got := kneedleStage(data); got != 0 {
		t.Errorf("Kneedle on 2 points: stage %d", got)
	}
}
