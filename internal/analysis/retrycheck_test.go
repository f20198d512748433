package analysis

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// spikeRetries is a synthetic run of retrying clients through a spike: a
// 503 probability of 0.6 in the spike and after in the after stage.
func spikeRetries(after float64) *result.Result { return spikeRetriesRejecting(0.6, after) }

// spikeRetriesRejecting is spikeRetries with the spike's 503 probability.
func spikeRetriesRejecting(spike, after float64) *result.Result {
	s := mergetest.Spec{
		Start: time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:8080/", Profile: "spike",
		Stages: []result.PlanStage{
			{Name: "base", StartS: 0, DurationS: 10, Rate: 100},
			{Name: "spike", StartS: 10, DurationS: 5, Rate: 400},
			{Name: "after", StartS: 15, DurationS: 15, Rate: 100},
		},
		Arrival: "uniform", Seed: 3, Service: 2 * time.Millisecond,
		Retry: &mergetest.RetrySpec{Max: 3, BackoffMax: 500 * time.Millisecond, StageReject: []float64{0, spike, after}},
	}
	rs, _ := mergetest.MustBuild(s)
	return rs[0]
}

// TestAnalyzeMetastability: the analysis of a retrying run judges the
// stage after the spike, from the result's own windows and the policy's
// largest delay; its figures are the windows' sums over the judged span.
func TestAnalyzeMetastability(t *testing.T) {
	for _, tt := range []struct {
		after   float64
		verdict string
	}{{0, Recovered}, {0.5, Amplified}} {
		r := spikeRetries(tt.after)
		a, err := Analyze(r, ModelSpec{})
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Metastability) != 1 {
			t.Fatalf("after %g: metastability %+v, want one check", tt.after, a.Metastability)
		}
		m := a.Metastability[0]
		from := 15 + r.RetryPolicy.MaxDelay().Seconds() // Retry-After ignored: the backoff cap, 0.5 s
		var first, all int64
		var span float64
		for _, w := range r.Timeline {
			if w.TS >= from-1e-9 && w.TS+w.DurationS <= 30+1e-9 {
				first += w.Attempts.First
				all += w.Attempts.Count
				span += w.DurationS
			}
		}
		if m.Stage != 3 || m.Name != "after" || m.Verdict != tt.verdict || m.FromS != from ||
			m.FirstRPS != float64(first)/span || m.AttemptRPS != float64(all)/span || m.Factor != float64(all)/float64(first) {
			t.Errorf("after %g: %+v; windows: first %d attempts %d over %g s", tt.after, m, first, all, span)
		}
		// 0.5: each attempt fails with p = 0.5 and up to 3 retries follow:
		// 1 + .5 + .25 + .125 = 1.875 attempts per request.
		if tt.verdict == Amplified && (m.Factor < 1.7 || m.Factor > 2.05) {
			t.Errorf("factor %g, want about 1.875", m.Factor)
		}
		if tt.verdict == Recovered && (m.RecoveryS < 0 || m.RecoveryS > 1) {
			t.Errorf("recovery %g s, want within the first window after the spike", m.RecoveryS)
		}
	}
	plain := spikeRetries(0)
	plain.RetryPolicy = nil
	if a, _ := Analyze(plain, ModelSpec{}); a.Metastability != nil {
		t.Error("metastability without retries")
	}
}

// TestRecovery reads the result's own windows: the synthetic clients stop
// retrying at the spike's end (15 s) when the after stage rejects nothing,
// and never when it rejects half.
func TestRecovery(t *testing.T) {
	if s, ok := Recovery(spikeRetries(0), 15); !ok || s < 0 || s > 1 {
		t.Errorf("no rejections after the spike: recovery %g s, %v; want within the first window", s, ok)
	}
	if s, ok := Recovery(spikeRetries(0.5), 15); ok {
		t.Errorf("half rejected after the spike: recovered after %g s", s)
	}
	if _, ok := Recovery(&result.Result{}, 0); ok {
		t.Error("a result without retries recovered")
	}
}

// TestAutoKeepsMetastability: a retrying run whose final outcomes never
// fall short (10% of attempts refused, three retries: 0.01% of requests
// end 503) forms no model, yet Auto keeps its analysis for the
// metastability check, which needs none (against nginx limit_req, a
// spike run with retries had no check at all). Without retries such a
// run still has no analysis.
func TestAutoKeepsMetastability(t *testing.T) {
	r := spikeRetriesRejecting(0.1, 0.1)
	a, err := Auto(r)
	if err != nil || a == nil {
		t.Fatalf("Auto: %v, %v", a, err)
	}
	if a.Model.Name != "none" || len(a.Metastability) != 1 {
		t.Errorf("model %q, metastability %+v: want none and one check", a.Model.Name, a.Metastability)
	}
	r.RetryPolicy = nil
	if a, err := Auto(r); a != nil || err != nil {
		t.Errorf("without retries: Auto %+v, %v; want nil", a, err)
	}
}

// TestRetriedShedsUnknown: with client retries the stages' 503s and
// latencies are logical requests' final outcomes, which no mechanism of
// the target describes (nginx's limit_req with Retry-After honoured read
// as a 3 s queue timeout): unknown, with the reason, and a warning about
// the predictions; a mechanism given is kept.
func TestRetriedShedsUnknown(t *testing.T) {
	r := spikeRetries(0.5)
	a := mustAnalyze(t, r, ModelSpec{})
	sh := a.Shedding
	if sh.Mechanism != mechUnknown || len(sh.Evidence) == 0 || !strings.HasPrefix(sh.Evidence[0], "the clients retried (") {
		t.Errorf("shedding %+v", sh)
	}
	if !hasWarning(a, "the clients retried: the stages' rates, 503s and latencies are their logical requests'") {
		t.Errorf("warnings %q", a.Warnings)
	}
	g := mustAnalyze(t, r, ModelSpec{Mechanism: mechRateLimit, RateLimit: 300})
	if g.Shedding.Mechanism != mechRateLimit || g.Shedding.Source != "given" {
		t.Errorf("given: %+v", g.Shedding)
	}
}
