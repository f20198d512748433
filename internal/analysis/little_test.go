package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// littleStage is a stage with only what the Little check reads.
func littleStage(index int, start, end, inFlight, busy, maxSvc float64, maxIn int64) result.Stage {
	return result.Stage{Index: index, StartS: start, EndS: end, InFlightMean: inFlight, BusyS: busy, InFlightMax: maxIn,
		Sent: 100, Completed: 100, Scheduled: 100, Status: map[string]int64{"200": 100},
		ServiceTime: result.Summary{Count: 100, Max: maxSvc}}
}

func TestLittleRatioAndEdgeBound(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name                   string
		inFlight, busy, maxSvc float64
		maxIn                  int64
		length                 float64
		wantRatio, wantEdge    float64
		flagged                bool
	}{
		// L = 10, X·W = 500 s / 50 s = 10: ratio 1; ends: (4·0.05 + 4·0.05)/50 /10 = 0.0008.
		{"exact", 10, 500, 0.05, 4, 50, 1, 0.0008, false},
		// L = 9.5 against X·W = 10 on a long stage: off by 5%, the ends explain 0.08%: flagged.
		{"bookkeeping bug", 9.5, 500, 0.05, 4, 50, 0.95, 0.0008, true},
		// 3% off but within 2% + nothing: flagged; 1.5% off: not.
		{"3% off", 10.3, 500, 0.05, 4, 50, 1.03, 0.0008, true},
		{"1.5% off", 10.15, 500, 0.05, 4, 50, 1.015, 0.0008, false},
		// A 1-second stage with 20 in flight at each end and 0.1 s sojourns:
		// the ends can explain (20·0.1 + 20·0.1)/1/10 = 40%, so 5% off is not flagged.
		{"short stage", 9.5, 10, 0.1, 20, 1, 0.95, 0.4, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := littleStage(1, 0, tc.length, tc.inFlight, tc.busy, tc.maxSvc, tc.maxIn)
			prev := littleStage(0, -tc.length, 0, 0, 0, tc.maxSvc, tc.maxIn)
			r := &result.Result{Stages: []result.Stage{prev, st}}
			data, _ := collect(r)
			l := little(r, data, 1)
			if math.Abs(l.Ratio-tc.wantRatio) > 1e-12 || math.Abs(l.EdgeBound-tc.wantEdge) > 1e-12 || l.Flagged != tc.flagged {
				t.Errorf("got ratio %.6g edge %.6g flagged %v; want %.6g %.6g %v", l.Ratio, l.EdgeBound, l.Flagged, tc.wantRatio, tc.wantEdge, tc.flagged)
			}
		})
	}
}

// TestLittleEdgeUsesTimelineAndTimeout: in-flight at the ends is read
// from the windows touching them, and a stage with transport errors may
// hold requests up to the timeout.
func TestLittleEdgeUsesTimelineAndTimeout(t *testing.T) {
	t.Parallel()
	st := littleStage(1, 0, 10, 10, 100, 0.05, 99)
	st.Errors = map[string]int64{"timeout": 1}
	st.Completed = 101
	st.Sent = 101
	r := &result.Result{TimeoutS: 2, Stages: []result.Stage{st}, Timeline: []result.Window{
		{TS: 0, DurationS: 1, InFlightMax: 3}, {TS: 9, DurationS: 1, InFlightMax: 7},
	}}
	data, _ := collect(r)
	l := little(r, data, 0)
	// (3·0 + 7·2 s)/10 s / (X·W = 10) = 0.14: no earlier stage, so nothing before t0.
	if math.Abs(l.EdgeBound-0.14) > 1e-12 {
		t.Errorf("edge bound %g, want 0.14", l.EdgeBound)
	}
}

func TestLittleNothingCompleted(t *testing.T) {
	t.Parallel()
	r := &result.Result{Stages: []result.Stage{littleStage(1, 0, 5, 0.3, 0, 0, 2), littleStage(2, 5, 5, 0, 0, 0, 0)}}
	data, _ := collect(r)
	for i := range data {
		if l := little(r, data, i); l.Ratio != 0 || l.Flagged {
			t.Errorf("stage %d: %+v", i+1, l)
		}
	}
}

// TestLittleOnSyntheticRuns: the fake engine integrates in-flight exactly,
// so L/(X·W) is 1 up to the ends' terms, which the bound covers.
func TestLittleOnSyntheticRuns(t *testing.T) {
	t.Parallel()
	for seed := uint64(1); seed <= 3; seed++ {
		a := mustAnalyze(t, demoSynth(seed).result(t), known)
		for _, s := range a.Stages {
			if d := math.Abs(s.Little.Ratio - 1); d > s.Little.EdgeBound || d > 0.02 || s.Little.Flagged {
				t.Errorf("seed %d stage %d: %+v", seed, s.Index, s.Little)
			}
		}
	}
}

func TestLittleFlagWarnsNamingTheStage(t *testing.T) {
	t.Parallel()
	r := demoSynth(1).result(t)
	r.Stages[2].InFlightMean *= 0.9 // requests counted in latency but not in flight
	a := mustAnalyze(t, r, known)
	s := a.Stages[2]
	if !s.Little.Flagged || !strings.HasPrefix(s.Verdict, "measurement problem") || !hasWarning(a, "stage 3: Little's law") {
		t.Fatalf("little %+v verdict %q warnings %q", s.Little, s.Verdict, a.Warnings)
	}
	for name, c := range checks(s) {
		if c.Agree != nil || !strings.Contains(c.Verdict, "Little") {
			t.Errorf("%s: a verdict on a stage whose bookkeeping fails: %+v", name, c)
		}
	}
}
