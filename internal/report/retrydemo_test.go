package report

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// retryRuns are two synthetic populations (mergetest) through the same
// spike (stage 2, 3–6 s): quick retries that mostly fail in the spike and
// stop with it, and slower ones that fail less and carry over into the
// stage after it, each with its recovery from the windows.
func retryRuns() []RetryRun {
	build := func(backoff time.Duration, reject []float64, after string) *result.Result {
		rs, _ := mergetest.MustBuild(mergetest.Spec{
			Start: time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:8080/", Profile: "spike",
			Stages: []result.PlanStage{
				{Name: "base", StartS: 0, DurationS: 3, Rate: 50},
				{Name: "spike", StartS: 3, DurationS: 3, Rate: 200},
				{Name: "after", StartS: 6, DurationS: 6, Rate: 50},
			},
			Arrival: "uniform", Seed: 5, Service: 3 * time.Millisecond,
			Retry: &mergetest.RetrySpec{Max: 3, BackoffMax: backoff, StageReject: reject},
		})
		r := rs[0]
		r.RetryPolicy.After = after
		a, err := analysis.Analyze(r, analysis.ModelSpec{})
		if err != nil {
			panic(err)
		}
		r.Analysis = &result.Analysis{Model: result.Model{Name: "none"}, Stages: []result.StageAnalysis{}, Metastability: a.Metastability}
		return r
	}
	runs := []RetryRun{
		{Clients: "ignore Retry-After", Result: build(100*time.Millisecond, []float64{0, 0.7, 0}, "ignore"), Spike: 1},
		{Clients: "honour Retry-After", Result: build(2500*time.Millisecond, []float64{0, 0.4, 0}, "honor"), Spike: 1},
	}
	for i := range runs {
		runs[i].RecoveryS = -1
		if s, ok := analysis.Recovery(runs[i].Result, 6); ok {
			runs[i].RecoveryS = s
		}
	}
	return runs
}

// TestGoldenRetryDemo renders the side by side as text and HTML, and
// checks what the goldens must show so that an -update cannot bless a
// rendering that lost it: each population's amplification, goodput and
// recovery, in both.
func TestGoldenRetryDemo(t *testing.T) {
	runs := retryRuns()
	if runs[0].RecoveryS < 0 || runs[1].RecoveryS <= runs[0].RecoveryS {
		t.Fatalf("fixture recoveries %g and %g: want the slower retries to settle later", runs[0].RecoveryS, runs[1].RecoveryS)
	}
	var txt, html bytes.Buffer
	if err := WriteRetryText(&txt, runs); err != nil {
		t.Fatal(err)
	}
	if err := WriteRetryHTML(&html, runs); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "retry-demo.txt", txt.Bytes())
	checkGolden(t, "retry-demo.outline.txt", []byte(htmlOutline(html.String())))
	for _, x := range runs {
		tot, sp := &x.Result.Total, &x.Result.Stages[1]
		for _, w := range []string{x.Clients, "×" + numfmt.Num(*tot.Amplification), "×" + numfmt.Num(*sp.Amplification),
			numfmt.Rate(*tot.GoodputRPS), numfmt.Rate(*sp.GoodputRPS), x.recovery(), numfmt.Int(tot.Attempts.Count)} {
			if !strings.Contains(txt.String(), w) || !strings.Contains(html.String(), w) {
				t.Errorf("%s: %q missing (text %v, html %v)", x.Clients, w, strings.Contains(txt.String(), w), strings.Contains(html.String(), w))
			}
		}
	}
	if !strings.Contains(html.String(), `id="chart-attempts"`) || !strings.Contains(html.String(), "honour Retry-After: recovered") {
		t.Error("HTML: no attempts chart with the recoveries marked")
	}
}

func TestRetryHeadline(t *testing.T) {
	runs := retryRuns()
	x := runs[0]
	x.RecoveryS = -1
	if got := RetryHeadline(x); !strings.HasSuffix(got, "the attempt rate was not back within 10% of the first-attempt rate by the run's end") {
		t.Errorf("not recovered: %q", got)
	}
	x.Result.Interrupted = true
	if got := RetryHeadline(x); !strings.HasSuffix(got, "the run was interrupted before the attempt rate was back within 10% of the first-attempt rate") || x.recovery() != "interrupted" {
		t.Errorf("interrupted: %q, %q", got, x.recovery())
	}
	x.RecoveryS = 2
	if got := RetryHeadline(x); !strings.HasPrefix(got, "ignore Retry-After: ×") || !strings.HasSuffix(got, "back within 10% of first attempts 2s after the spike's end") {
		t.Errorf("recovered: %q", got)
	}
	if err := WriteRetryHTML(&bytes.Buffer{}, nil); err == nil {
		t.Error("no runs rendered")
	}
}
