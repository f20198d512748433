package analysis

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

func TestAnalyzeRejectsNil(t *testing.T) {
	t.Parallel()
	if _, err := Analyze(nil, ModelSpec{}); err == nil {
		t.Error("nil result accepted")
	}
	if a, err := Auto(nil); a != nil || err == nil {
		t.Errorf("Auto(nil) = %v, %v", a, err)
	}
}

// TestDegenerateResults: odd inputs become warnings and verdicts, never
// panics, NaNs or errors.
func TestDegenerateResults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mutate func(r *result.Result)
		check  func(t *testing.T, a *result.Analysis)
	}{
		{"no stages", func(r *result.Result) { r.Stages = nil; r.Timeline = nil }, func(t *testing.T, a *result.Analysis) {
			if a.Model.Name != "none" || !hasWarning(a, "no stages") || len(a.Stages) != 0 {
				t.Errorf("%+v", a)
			}
		}},
		{"no histograms", func(r *result.Result) {
			for i := range r.Stages {
				r.Stages[i].HDR = result.StageHDR{}
			}
			for i := range r.Timeline {
				r.Timeline[i].HDR = result.WindowHDR{}
			}
		}, func(t *testing.T, a *result.Analysis) {
			for _, s := range a.Stages {
				if p := s.Agreement.ResponseP99S; p.Agree != nil || !strings.Contains(p.Verdict, "insufficient data") {
					t.Errorf("stage %d p99 judged without histograms: %+v", s.Index, p)
				}
				if b := s.Agreement.BlockRatio; !(b.MeasuredCI > 0) || strings.Contains(b.Verdict, "no measurement interval") {
					t.Errorf("stage %d: the 503 ratio needs only counts: %+v", s.Index, b)
				}
			}
		}},
		{"undecodable histograms", func(r *result.Result) {
			for i := range r.Timeline {
				r.Timeline[i].HDR.Latency2xx = "not base64 !"
			}
			r.Stages[0].HDR.SendLag = "%%%"
		}, func(t *testing.T, a *result.Analysis) {
			if !hasWarning(a, "could not be decoded") {
				t.Errorf("warnings %q", a.Warnings)
			}
		}},
		{"no timeline", func(r *result.Result) { r.Timeline = nil }, func(t *testing.T, a *result.Analysis) {
			for _, s := range a.Stages {
				for name, c := range checks(s) {
					if c.Agree != nil {
						t.Errorf("stage %d %s judged without any batches: %+v", s.Index, name, c)
					}
				}
			}
		}},
		{"a stage with no responses", func(r *result.Result) {
			st := &r.Stages[1]
			n := st.Sent
			st.Status = map[string]int64{}
			st.Errors = map[string]int64{"timeout": n}
			st.Latency, st.Latency2xx, st.ServiceTime = result.Summary{}, result.Summary{}, result.Summary{}
			st.ServerTiming = nil
		}, func(t *testing.T, a *result.Analysis) {
			if s := a.Stages[1]; s.Verdict != "no responses" || !hasWarning(a, "transport errors") {
				t.Errorf("stage 2 %q warnings %q", s.Verdict, a.Warnings)
			}
		}},
		{"a stage of length 0 and NaNs", func(r *result.Result) {
			r.Stages[0].EndS = r.Stages[0].StartS
			r.Stages[1].ArrivalSCV = math.NaN()
			r.Stages[2].InFlightMean = math.Inf(1)
			r.Stages[3].Latency2xx.P99 = math.NaN()
		}, func(t *testing.T, a *result.Analysis) {
			if s := a.Stages[0]; s.Verdict != "nothing sent" {
				t.Errorf("stage 1 %q", s.Verdict)
			}
		}},
		{"interrupted", func(r *result.Result) {
			r.Interrupted = true
			st := &r.Stages[3]
			st.EndS = st.StartS + 0.5
		}, func(t *testing.T, a *result.Analysis) {
			if !hasWarning(a, "interrupted") || !strings.Contains(strings.Join(a.Stages[3].Notes, " "), "partial") {
				t.Errorf("warnings %q notes %q", a.Warnings, a.Stages[3].Notes)
			}
		}},
		{"generator limited", func(r *result.Result) { r.GeneratorLimited = true }, func(t *testing.T, a *result.Analysis) {
			if !hasWarning(a, "generator limited") {
				t.Errorf("warnings %q", a.Warnings)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := demoSynth(21).result(t)
			tc.mutate(r)
			for i, spec := range []ModelSpec{known, {}, {Workers: 3, Queue: 0, QueueKnown: true, ServiceMean: 0.02}} {
				a := mustAnalyze(t, r, spec)
				if i == 0 {
					tc.check(t, a)
				}
			}
		})
	}
}

// TestAnalysisIsDeterministic: the same result gives the same analysis
// (the simulations are seeded from it).
func TestAnalysisIsDeterministic(t *testing.T) {
	t.Parallel()
	r := demoSynth(22).result(t)
	r.Arrival = "uniform"
	for i := range r.Stages {
		r.Stages[i].ArrivalSCV = 0.2 // simulated G/G/c/K
	}
	a1, _ := json.Marshal(mustAnalyze(t, r, known))
	a2, _ := json.Marshal(mustAnalyze(t, r, known))
	if string(a1) != string(a2) {
		t.Error("two analyses of one result differ")
	}
}
