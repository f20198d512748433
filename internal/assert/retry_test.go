package assert

import (
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// retryResult is two stages of retrying clients: stage 1, 100 scheduled,
// 150 attempts, 90 ended 200 over 2 s; stage 2, 50 scheduled, 50 attempts,
// 50 ended 200 over 5 s. Windows count attempts by their own times.
func retryResult() *result.Result {
	st := func(i int, start, end float64, sched, attempts, ok int64) result.Stage {
		s := result.Stage{Index: i, StartS: start, EndS: end, Scheduled: sched, Sent: sched, Completed: sched,
			Status: map[string]int64{"200": ok, "503": sched - ok}, Errors: map[string]int64{},
			ThroughputRPS: float64(ok) / (end - start),
			Attempts:      &result.Attempts{Count: attempts, Retries: attempts - sched}}
		s.SetRetryRates()
		return s
	}
	r := &result.Result{RetryPolicy: &result.RetryPolicy{On: "503", Max: 2},
		Stages: []result.Stage{st(1, 0, 2, 100, 150, 90), st(2, 2, 7, 50, 50, 50)}, Total: st(0, 0, 7, 150, 200, 140)}
	for k := range 7 {
		w := result.Window{TS: float64(k), DurationS: 1, Scheduled: 10, Status: map[string]int64{"200": 10},
			Attempts: &result.WindowAttempts{First: 10, Count: 10}}
		if k < 2 {
			w.Attempts.Count = 30 // the retries of the spike
		}
		r.Timeline = append(r.Timeline, w)
	}
	return r
}

func TestRetryMetrics(t *testing.T) {
	r := retryResult()
	tests := []struct {
		expr     string
		observed []float64
		pass     []bool
		note     string
	}{
		{"amplification < 1.5", []float64{200.0 / 150}, []bool{true}, ""},
		{"amplification <= 1.5 in each stage", []float64{1.5, 1}, []bool{true, true}, ""},
		{"amplification < 1.2 in each 2s", []float64{3, 1, 1, 1}, []bool{false, true, true, true}, ""},
		{"goodput > 40 in stage 1", []float64{45}, []bool{true}, ""},
		{"goodput >= 20", []float64{20}, []bool{true}, ""},
	}
	for _, tt := range tests {
		e, err := Parse(tt.expr)
		if err != nil {
			t.Fatalf("%s: %v", tt.expr, err)
		}
		got, err := Evaluate(r, []Expr{e})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(tt.observed) {
			t.Fatalf("%s: %d parts %+v", tt.expr, len(got), got)
		}
		for i, a := range got {
			if a.Observed != tt.observed[i] || a.Pass != tt.pass[i] || a.Note != tt.note {
				t.Errorf("%s part %d: %+v, want observed %g pass %v", tt.expr, i, a, tt.observed[i], tt.pass[i])
			}
		}
	}
	// Without retries: amplification fails with a note; goodput is rps.
	plain := retryResult()
	plain.RetryPolicy, plain.Total.Attempts, plain.Total.GoodputRPS = nil, nil, nil
	e, _ := Parse("amplification < 2")
	g, _ := Parse("goodput > 19")
	got, err := Evaluate(plain, []Expr{e, g})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].Pass || got[0].Note != noteNoAttempts || !got[1].Pass || got[1].Observed != plain.Total.ThroughputRPS {
		t.Errorf("without retries: %+v", got)
	}
	if v, ok, err := MetricValue(&r.Stages[0], "amplification"); err != nil || !ok || v != 1.5 {
		t.Errorf("MetricValue: %v %v %v", v, ok, err)
	}
}

func TestRetryMetricsParse(t *testing.T) {
	for s, want := range map[string]string{
		"Amplification<1.5":               "amplification < 1.5",
		"GOODPUT >= 100":                  "goodput >= 100",
		"amplification < 2 in each stage": "amplification < 2 in each stage",
	} {
		e, err := Parse(s)
		if err != nil || e.String() != want {
			t.Errorf("Parse(%q) = %q, %v; want %q", s, e.String(), err, want)
		}
	}
	for s, want := range map[string]string{
		"amplification < 150%": "amplification needs a plain number",
		"amplification < 2s":   "amplification needs a plain number",
		"goodput > 1%":         "goodput needs a number of requests that ended 2xx per second",
		"amplificaton < 2":     "unknown metric",
	} {
		if _, err := Parse(s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", s, err, want)
		}
	}
}
