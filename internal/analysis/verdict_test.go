package analysis

import (
	"math"
	"strings"
	"testing"
)

func TestJudge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		in      checkInput
		agree   *bool
		verdict string
		band    float64
	}{
		{"exact, inside", checkInput{kind: metricRatio, pred: 0.20, obs: 0.21, measHW: 0.02, measOK: true, predBand: 0.005},
			ptr(true), "agrees", 0.025},
		{"exact, outside above", checkInput{kind: metricRatio, pred: 0.20, obs: 0.23, measHW: 0.02, measOK: true, predBand: 0.005},
			ptr(false), "disagrees: observed above the band", 0.025},
		{"outside below", checkInput{kind: metricRatio, pred: 0.20, obs: 0.17, measHW: 0.02, measOK: true, predBand: 0.005},
			ptr(false), "disagrees: observed below the band", 0.025},
		// Issue #12: a band wider than 20% of the prediction (2 points for
		// a ratio) would call a miss of that size "agrees".
		{"band over 20% of a time", checkInput{kind: metricTime, pred: 0.010, obs: 0.0125, measHW: 0.0025, measOK: true},
			nil, "insufficient data: the band ±2.62ms is wider than 20% of the prediction, so agreement would not tell a miss", 0.0025 + 0.0001 + 0.00002},
		{"band over 20% of a ratio", checkInput{kind: metricRatio, pred: 0.10, obs: 0.12, measHW: 0.02, measOK: true, predBand: 0.005},
			nil, "insufficient data: the band ±2.5% is wider than 20% of the prediction, so agreement would not tell a miss", 0.025},
		{"a ratio's band may reach 2 points", checkInput{kind: metricRatio, pred: 0.01, obs: 0.02, measHW: 0.015, measOK: true},
			ptr(true), "agrees", 0.015},
		// Times: floor 100 µs + 0.2% beats a 0 tolerance; 10% tolerance beats the floor.
		{"time floor", checkInput{kind: metricTime, pred: 0.010, obs: 0.0101, measHW: 0.0001, measOK: true},
			ptr(true), "agrees", 0.0001 + 0.00012},
		{"time tolerance", checkInput{kind: metricTime, pred: 0.050, obs: 0.054, measHW: 0.001, measOK: true, tol: 0.1, ovhAllow: 0.0003},
			ptr(true), "agrees", 0.005 + 0.001 + 0.0003},
		{"lower bound met", checkInput{kind: metricRatio, pred: 0.2, obs: 0.35, measHW: 0.02, measOK: true, lower: true},
			ptr(true), "agrees (at or above the lower bound)", 0.02},
		{"lower bound broken", checkInput{kind: metricRatio, pred: 0.2, obs: 0.1, measHW: 0.02, measOK: true, lower: true},
			ptr(false), "disagrees: observed below the band", 0.02},
		{"no interval", checkInput{kind: metricTime, pred: 0.05, obs: 0.05},
			nil, "insufficient data: no measurement interval", 0.0001 + 0.0001},
		{"time measured to ±60%", checkInput{kind: metricTime, pred: 0.05, obs: 0.05, measHW: 0.03, measOK: true},
			nil, "insufficient data: measured only to ±30ms", 0.0301 + 0.0001},
		{"ratio measured to ±5 points", checkInput{kind: metricRatio, pred: 0.06, obs: 0.07, measHW: 0.05, measOK: true},
			nil, "insufficient data: measured only to ±5%", 0.05},
		{"a ratio of 30% ± 5 points is fine", checkInput{kind: metricRatio, pred: 0.30, obs: 0.31, measHW: 0.05, measOK: true},
			ptr(true), "agrees", 0.05},
		{"explicit reason", checkInput{kind: metricRatio, pred: 0.1, obs: 0.1, measHW: 0.01, measOK: true, insufficient: "only 3 2xx latencies"},
			nil, "insufficient data: only 3 2xx latencies", 0.01},
		{"infinite simulation interval", checkInput{kind: metricRatio, pred: 0.1, obs: 0.1, measHW: 0.01, measOK: true, predBand: math.Inf(1)},
			nil, "insufficient data: no finite interval", 0.01},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := judge(tc.in)
			if (c.Agree == nil) != (tc.agree == nil) || (c.Agree != nil && *c.Agree != *tc.agree) || c.Verdict != tc.verdict {
				t.Errorf("agree %v verdict %q", c.Agree, c.Verdict)
			}
			if math.Abs(c.Band-tc.band) > 1e-12 {
				t.Errorf("band %.12g, want %.12g", c.Band, tc.band)
			}
			if c.Band != c.ModelTolerance+c.MeasuredCI+c.PredictionBand+c.OverheadAllowance {
				t.Errorf("band %g is not the sum of its parts %+v", c.Band, c)
			}
			if tc.in.lower != (c.Bound == "lower") {
				t.Errorf("bound %q", c.Bound)
			}
		})
	}
}

func ptr(b bool) *bool { return &b }

// TestInsufficientDataVerdicts: a stage too short for batches, or with too
// few 2xx latencies, gets no verdict rather than a claimed agreement.
func TestInsufficientDataVerdicts(t *testing.T) {
	t.Parallel()
	s := synth{c: 8, k: 24, mean: 0.01, rates: []float64{50, 900}, stageDur: 1.5, seed: 12}
	a := mustAnalyze(t, s.result(t), known)
	for _, st := range a.Stages {
		for name, c := range checks(st) {
			if c.Agree != nil || !strings.HasPrefix(c.Verdict, "insufficient data") {
				t.Errorf("stage %d %s: %+v", st.Index, name, c)
			}
		}
		if st.Verdict != "insufficient data" {
			t.Errorf("stage %d verdict %q", st.Index, st.Verdict)
		}
	}
	if p := a.Stages[0].Agreement.ResponseP99S; !strings.Contains(p.Verdict, "2xx latencies") || p.SamplesNeeded != 7173 {
		t.Errorf("stage 1 p99 %+v", p)
	}
}
