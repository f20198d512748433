package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
)

// capacityDoc writes a small capacity search's document whose target URL
// and warning carry a secret (a hand-made document: report redacts what it
// reads, whoever wrote it) and returns its path and the document redacted.
func capacityDoc(t *testing.T) (string, *result.Capacity) {
	t.Helper()
	const url = "http://127.0.0.1:8080/checkout?token=s3cr3t"
	pass := result.Stage{Index: 1, Name: "probe 1", Scheduled: 1000, Sent: 1000, Completed: 1000, Status: map[string]int64{"200": 1000},
		Errors: map[string]int64{}, StartS: 0, EndS: 5, OfferedRPS: 200, AchievedRPS: 200, ThroughputRPS: 200}
	c := &result.Capacity{Schema: result.CapacitySchema, Tool: result.Tool{Name: "bploadgen", Version: "test"},
		Target: result.Target{URL: url, Method: "GET"}, Arrival: "poisson", Seed: 1, SLO: []string{"ratio(503) < 1%"},
		CapacityRPS: 200, Bracket: result.CapacityBracket{PassRPS: 200}, StoppedBecause: result.StopBudget, ElapsedS: 6,
		Probes: []result.CapacityProbe{{RateRPS: 200, DurationS: 5, Samples: 1000, Verdict: result.VerdictPass, Stage: pass,
			ProposedBy: "min", Segments: 1, WarmupS: 1,
			SLOChecks: []result.SLOCheck{{Expr: "ratio(503) < 1%", Verdict: result.VerdictPass, Metric: "ratio(503)", Op: "<",
				Threshold: 0.01, Unit: "ratio", Samples: 1000, CIHigh: 0.0037}}}},
		Settings: result.CapacitySettings{MinRPS: 200, BudgetS: 6, Precision: 0.05, Level: 0.95},
		Warnings: []string{"the target " + url + " sent no Server-Timing"}}
	path := filepath.Join(t.TempDir(), "cap.json")
	if err := result.WriteCapacityFile(path, c); err != nil {
		t.Fatal(err)
	}
	c.Redact(nil)
	if strings.Contains(c.Target.URL+c.Warnings[0], "s3cr3t") {
		t.Fatalf("Redact left the secret: %s; %s", c.Target.URL, c.Warnings[0])
	}
	return path, c
}

// TestReportCapacity: `report` re-renders a capacity search's document as
// `capacity` rendered it (the summary, Markdown, HTML, JUnit; from a file
// or standard input), redacted; --csv and --hlog, which need a timeline,
// are a usage error.
func TestReportCapacity(t *testing.T) {
	path, c := capacityDoc(t)
	var text, md bytes.Buffer
	if err := report.CapacityText(&text, c); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteCapacityMarkdown(&md, c); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runReportCmd(t, nil, "report", path)
	if code != 0 || stderr != "" || stdout != text.String() {
		t.Errorf("report: exit %d, stderr %q, stdout\n%s\nwant\n%s", code, stderr, stdout, text.String())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runReportCmd(t, bytes.NewReader(data), "report", "-", "--md", "-")
	if code != 0 || stderr != "" || stdout != md.String() {
		t.Errorf("report - --md -: exit %d, stderr %q, stdout\n%s", code, stderr, stdout)
	}
	dir := t.TempDir()
	html, junit := filepath.Join(dir, "c.html"), filepath.Join(dir, "c.xml")
	if code, _, stderr = runReportCmd(t, nil, "report", path, "--html", html, "--junit", junit); code != 0 || stderr != "" {
		t.Fatalf("report --html --junit: exit %d, stderr %q", code, stderr)
	}
	for _, f := range []string{html, junit} {
		b, err := os.ReadFile(f)
		if err != nil || len(b) == 0 || bytes.Contains(b, []byte("s3cr3t")) {
			t.Errorf("%s: %d bytes, err %v, secret shown: %v", f, len(b), err, bytes.Contains(b, []byte("s3cr3t")))
		}
	}
	for _, flag := range []string{"--csv", "--hlog"} {
		code, _, stderr := runReportCmd(t, nil, "report", path, flag, filepath.Join(dir, "x"))
		if code != exitUsage || !strings.Contains(stderr, "is a capacity search") {
			t.Errorf("report %s: exit %d, stderr %q", flag, code, stderr)
		}
	}
}
