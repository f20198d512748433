package report

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// capacityFixture is a small, believable capacity search: three probes
// (pass, fail, pass), the model's forecast, two overload probes and a
// failing backpressure verdict, with text that needs escaping.
func capacityFixture() *result.Capacity {
	stage := func(rate, length float64, n200, n503 int64, p99 float64) result.Stage {
		n := n200 + n503
		return result.Stage{Index: 1, EndS: length, OfferedRPS: rate, Scheduled: n, Sent: n, Completed: n,
			AchievedRPS: float64(n) / length, ThroughputRPS: float64(n200) / length,
			Status:  map[string]int64{"200": n200, "503": n503},
			Errors:  map[string]int64{"timeout": 0, "connect": 0, "reset": 0, "other": 0, "canceled": 0},
			Latency: result.Summary{Count: n, P99: p99}, Latency2xx: result.Summary{Count: n200, P99: p99}}
	}
	check := func(v, lo, hi float64, verdict string) []result.SLOCheck {
		return []result.SLOCheck{{Expr: "ratio(503) < 1%", Metric: "ratio(503)", Op: "<", Threshold: 0.01, Unit: "ratio",
			Value: v, CILow: lo, CIHigh: hi, Verdict: verdict, Samples: 1000}}
	}
	agree := true
	met := false
	return &result.Capacity{
		Schema: result.CapacitySchema, Tool: result.Tool{Name: "bploadgen", Version: "test"},
		Target:  result.Target{URL: "http://127.0.0.1:8080/?q=<b>", Method: "GET"},
		Arrival: "poisson", Seed: 7, StartedAt: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		SLO:         []string{"ratio(503) < 1%"},
		CapacityRPS: 200, Bracket: result.CapacityBracket{PassRPS: 200, FailRPS: 225},
		Probes: []result.CapacityProbe{
			{RateRPS: 100, DurationS: 8, Samples: 800, Verdict: "pass", SLOChecks: check(0, 0, 0.0048, "pass"),
				Stage: stage(100, 8, 800, 0, 0.021), ProposedBy: "min", Segments: 1, WarmupS: 1},
			{RateRPS: 250, DurationS: 4, Samples: 1000, Verdict: "fail", SLOChecks: check(0.021, 0.013, 0.032, "fail"),
				Stage: stage(250, 4, 979, 21, 0.041), ProposedBy: "ramp", Segments: 1, WarmupS: 1, StartS: 10},
			{RateRPS: 225, DurationS: 16, Samples: 3600, Verdict: "uncertain", SLOChecks: check(0.011, 0.008, 0.014, "uncertain"),
				Stage: stage(225, 16, 3560, 40, 0.038), ProposedBy: "model", Segments: 2, WarmupS: 2, StartS: 16,
				Note: "still uncertain after 16s measured (8× its first length, the cap): counted as not passing"},
			{RateRPS: 200, DurationS: 4, Samples: 800, Verdict: "pass", SLOChecks: check(0.0025, 0.0007, 0.0091, "pass"),
				Stage: stage(200, 4, 798, 2, 0.030), ProposedBy: "model", Segments: 1, WarmupS: 1, StartS: 36},
		},
		ElapsedS: 52.5,
		Predicted: &result.CapacityForecast{RateRPS: 212, BandLowRPS: 205, BandHighRPS: 219, Agrees: &agree,
			Model: result.Model{Name: "M/M/c/K", Kendall: "M/M/4/8", Workers: 4, Queue: 4},
			Note:  "the model predicts 212 rps (band 205–219), consistent with the measured bracket 200–225 rps; M/M/4/8 with c = 4"},
		StoppedBecause: "precision",
		Overload: []result.OverloadProbe{
			{Multiple: 1.5, RateRPS: 300, Stage: stage(300, 3, 800, 100, 0.05), Checks: []result.BackpressureCheck{
				{Name: "rejects", OK: true, Detail: "100 of 100 turned away were answered 503/429 (100%)"},
				{Name: "latency-bounded", OK: false, Detail: "rose from 40ms to 900ms <script>"}}},
			{Multiple: 2, RateRPS: 400, Stage: stage(400, 3, 800, 400, 0.05), Checks: []result.BackpressureCheck{
				{Name: "rejects", OK: true, Detail: "400 of 400 turned away were answered 503/429 (100%)"},
				{Name: "latency-bounded", OK: true, Detail: "bounded"}}},
		},
		Backpressure: &result.Backpressure{Verdict: "fails", DecidedBy: "latency-bounded", Checks: []result.BackpressureCheck{
			{Name: "rejects", OK: true, Detail: "1.5×: 100 of 100 turned away were answered 503/429 (100%); 2×: 400 of 400"},
			{Name: "latency-bounded", OK: false, Detail: "1.5×: rose from 40ms to 900ms <script>; 2×: bounded"}}},
		Settings:   result.CapacitySettings{MinRPS: 100, BudgetS: 180, Precision: 0.05, RequireRPS: 250, Overload: []float64{1.5, 2}, Level: 0.95},
		RequireMet: &met,
		Warnings:   []string{"the generator fell behind its schedule: send lag p99 3ms"},
	}
}

var capacityRenderers = []struct {
	ext    string
	render func(*bytes.Buffer, *result.Capacity) error
}{
	{"txt", func(w *bytes.Buffer, c *result.Capacity) error { return CapacityText(w, c) }},
	{"md", func(w *bytes.Buffer, c *result.Capacity) error { return WriteCapacityMarkdown(w, c) }},
	{"junit.xml", func(w *bytes.Buffer, c *result.Capacity) error { return WriteCapacityJUnit(w, c) }},
	{"html", func(w *bytes.Buffer, c *result.Capacity) error { return WriteCapacityHTML(w, c) }},
}

func TestCapacityGolden(t *testing.T) {
	c := capacityFixture()
	for _, rd := range capacityRenderers {
		t.Run(rd.ext, func(t *testing.T) {
			var b bytes.Buffer
			if err := rd.render(&b, c); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "capacity."+rd.ext, b.Bytes())
			if rd.ext == "html" {
				checkGolden(t, "capacity.outline.txt", []byte(htmlOutline(b.String())))
			}
		})
	}
}

// TestCapacityRenderings checks what the goldens should show: the verdict
// and the failing check in every rendering, nothing from the document as
// markup, and valid JUnit with the right failures.
func TestCapacityRenderings(t *testing.T) {
	c := capacityFixture()
	for _, rd := range capacityRenderers {
		var b bytes.Buffer
		if err := rd.render(&b, c); err != nil {
			t.Fatal(err)
		}
		s := b.String()
		if !strings.Contains(s, "latency-bounded") || !strings.Contains(s, "200") {
			t.Errorf("%s: no failing check or capacity", rd.ext)
		}
		if rd.ext == "html" || rd.ext == "md" {
			if strings.Contains(s, "<script>") || strings.Contains(s, "<b>") {
				t.Errorf("%s: text from the document reached the page as markup", rd.ext)
			}
		}
	}
	var b bytes.Buffer
	if err := WriteCapacityJUnit(&b, c); err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(b.Bytes(), &suites); err != nil {
		t.Fatal(err)
	}
	// capacity found, >= 250 rps (fails), the SLO at 200 rps, two checks
	// (latency-bounded fails).
	if suites.Tests != 5 || suites.Failures != 2 {
		t.Errorf("JUnit: %d tests, %d failures; want 5 and 2", suites.Tests, suites.Failures)
	}
}

// TestCapacityHTMLUnknownBackpressure: a search whose budget ran out
// before any overload probe says so, with no empty table of checks.
func TestCapacityHTMLUnknownBackpressure(t *testing.T) {
	c := capacityFixture()
	c.Overload = nil
	c.Backpressure = &result.Backpressure{Verdict: result.BackpressureUnknown, Checks: []result.BackpressureCheck{},
		Note: "the budget ran out before the 2× probe"}
	var b bytes.Buffer
	if err := WriteCapacityHTML(&b, c); err != nil {
		t.Fatal(err)
	}
	if s := b.String(); !strings.Contains(s, "does the backpressure hold?") || strings.Contains(s, "the figures") {
		t.Errorf("backpressure section: headline %v, empty checks table %v", strings.Contains(s, "does the backpressure hold?"), strings.Contains(s, "the figures"))
	}
}
