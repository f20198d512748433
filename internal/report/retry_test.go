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

const retryFixturePath = "testdata/result-retry.json"

// retryFixture is a synthetic run of retrying clients (mergetest) through
// two spikes: after the first the target keeps rejecting half the
// attempts (the retries amplify), after the second it recovers. Its
// analysis is only the metastability checks of analysis.Analyze.
func retryFixture() *result.Result {
	spec := mergetest.Spec{
		Start: time.Date(2026, 12, 2, 14, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:8080/", Profile: "stages",
		Stages: []result.PlanStage{
			{Name: "base", StartS: 0, DurationS: 3, Rate: 50},
			{Name: "spike", StartS: 3, DurationS: 2, Rate: 200},
			{Name: "after", StartS: 5, DurationS: 4, Rate: 50},
			{Name: "spike again", StartS: 9, DurationS: 2, Rate: 200},
			{Name: "calm", StartS: 11, DurationS: 4, Rate: 50},
		},
		Arrival: "uniform", Seed: 17, Service: 3 * time.Millisecond, Timeout: 0.002,
		Retry: &mergetest.RetrySpec{Max: 3, BackoffMax: 300 * time.Millisecond, Denied: 0.05,
			StageReject: []float64{0, 0.7, 0.5, 0.7, 0}},
	}
	rs, _ := mergetest.MustBuild(spec)
	r := rs[0]
	a, err := analysis.Analyze(r, analysis.ModelSpec{})
	if err != nil {
		panic(err)
	}
	r.Analysis = &result.Analysis{Model: result.Model{Name: "none"}, Stages: []result.StageAnalysis{}, Metastability: a.Metastability}
	return r
}

func loadRetryFixture(t *testing.T) *result.Result {
	t.Helper()
	r, err := result.ReadFile(retryFixturePath)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	return r
}

// TestGoldenRetry renders the retry fixture in every format that shows
// client retries.
func TestGoldenRetry(t *testing.T) {
	r := loadRetryFixture(t)
	for _, rd := range []struct {
		ext    string
		render func(*bytes.Buffer, *result.Result) error
	}{
		{"txt", func(w *bytes.Buffer, r *result.Result) error { return Text(w, r) }},
		{"md", func(w *bytes.Buffer, r *result.Result) error { return WriteMarkdown(w, r) }},
		{"csv", func(w *bytes.Buffer, r *result.Result) error { return WriteCSV(w, r) }},
		{"html", func(w *bytes.Buffer, r *result.Result) error { return WriteHTML(w, r) }},
	} {
		t.Run(rd.ext, func(t *testing.T) {
			var b bytes.Buffer
			if err := rd.render(&b, r); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "result-retry."+rd.ext, b.Bytes())
			if rd.ext == "html" {
				checkGolden(t, "result-retry.outline.txt", []byte(htmlOutline(b.String())))
			}
		})
	}
}

// TestRetryContent checks what the goldens must show, so that an -update
// cannot bless a rendering that lost it: each verdict with its figures,
// the amplification and goodput of the run, in text, Markdown and HTML.
func TestRetryContent(t *testing.T) {
	r := loadRetryFixture(t)
	checks := r.Analysis.Metastability
	if len(checks) != 2 || checks[0].Verdict != "amplified" || checks[1].Verdict != "recovered" {
		t.Fatalf("fixture checks %+v: want amplified after the first spike, recovered after the second", checks)
	}
	var txt, md, html, csv bytes.Buffer
	for _, err := range []error{Text(&txt, r), WriteMarkdown(&md, r), WriteHTML(&html, r), WriteCSV(&csv, r)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	want := []string{
		"×" + numfmt.Num(*r.Total.Amplification), numfmt.Rate(*r.Total.GoodputRPS), numfmt.Int(r.Total.Attempts.Count),
		"stage 3 (after): amplified", "×" + numfmt.Num(checks[0].Factor), numfmt.Rate(checks[0].AttemptRPS) + " attempts/s",
		"stage 5 (calm): recovered", "within 10% of the first-attempt rate " + numfmt.Duration(checks[1].RecoveryS) + " into the stage",
	}
	for format, out := range map[string]string{"text": txt.String(), "md": md.String(), "html": html.String()} {
		for _, w := range want {
			if format == "md" {
				w = mdEscape(w)
			}
			if !strings.Contains(out, w) {
				t.Errorf("%s lacks %q", format, w)
			}
		}
	}
	if head, _, _ := strings.Cut(csv.String(), "\n"); !strings.HasSuffix(head, ",first_attempts,attempts,scrape:queue_depth") {
		t.Errorf("CSV header %q", head)
	}
	// Without retries: no section anywhere.
	plain := loadFixture(t)
	txt.Reset()
	html.Reset()
	if Text(&txt, plain) != nil || WriteHTML(&html, plain) != nil || strings.Contains(txt.String(), "client retries") || strings.Contains(html.String(), `id="retries"`) {
		t.Error("a retry section without retries")
	}
}

func TestMetastabilitySentence(t *testing.T) {
	tests := []struct {
		m    result.Metastability
		want string
	}{
		{result.Metastability{Stage: 3, Name: "after", Verdict: "amplified", FromS: 35, FirstRPS: 100, AttemptRPS: 187.5, Factor: 1.875, RecoveryS: -1},
			"stage 3 (after): amplified — the attempt rate never settled within 10% of the first-attempt rate; from 35s into the run to the stage's end, 188 attempts/s against 100 first attempts/s (×1.88)"},
		{result.Metastability{Stage: 2, Name: "down", Verdict: "recovered", FromS: 15, FirstRPS: 100, AttemptRPS: 101, Factor: 1.01, RecoveryS: 3},
			"stage 2 (down): recovered — the attempt rate came back within 10% of the first-attempt rate 3s into the stage, and stayed; from 15s into the run to the stage's end, 101 attempts/s against 100 first attempts/s (×1.01)"},
		{result.Metastability{Stage: 2, Name: "short", Verdict: "undecided", FromS: 40, RecoveryS: -1},
			"stage 2 (short): undecided: the stage ended before the largest retry delay had passed (judging would start 40s into the run)"},
	}
	for _, tt := range tests {
		if got := MetastabilitySentence(tt.m); got != tt.want {
			t.Errorf("got  %q\nwant %q", got, tt.want)
		}
	}
}
