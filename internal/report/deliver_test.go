package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestDelivery: where each part goes, for a result and a capacity search.
func TestDelivery(t *testing.T) {
	r := stepFixture()
	var text, analysis, md bytes.Buffer
	if err := Text(&text, r); err != nil {
		t.Fatal(err)
	}
	if err := AnalysisText(&analysis, "this run", r, r.Analysis); err != nil {
		t.Fatal(err)
	}
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		name             string
		d                Delivery
		analysis         bool
		stdout, stderr   string
		jsonFile, mdFile string
	}{
		{"summary on stdout", Delivery{}, false, text.String(), "", "", ""},
		{"with the analysis", Delivery{}, true, text.String() + "\n" + analysis.String(), "", "", ""},
		{"files", Delivery{Out: filepath.Join(dir, "r.json"), Files: Outputs{Markdown: filepath.Join(dir, "r.md")}}, false, text.String(), "", "r.json", "r.md"},
		{"report on stdout", Delivery{Files: Outputs{Markdown: "-"}}, false, md.String(), text.String(), "", ""},
	} {
		var stdout, stderr bytes.Buffer
		tc.d.Stdout, tc.d.Stderr = &stdout, &stderr
		if err := tc.d.WriteResult(r, tc.analysis); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if stdout.String() != tc.stdout || stderr.String() != tc.stderr {
			t.Errorf("%s: stdout %d bytes, stderr %d bytes; want %d and %d", tc.name, stdout.Len(), stderr.Len(), len(tc.stdout), len(tc.stderr))
		}
		if tc.jsonFile != "" {
			if _, err := result.ReadFile(filepath.Join(dir, tc.jsonFile)); err != nil {
				t.Errorf("%s: %v", tc.name, err)
			}
			if b, err := os.ReadFile(filepath.Join(dir, tc.mdFile)); err != nil || string(b) != md.String() {
				t.Errorf("%s: markdown file %v", tc.name, err)
			}
		}
	}
	// -o -: the JSON on stdout, the summary on stderr.
	var stdout, stderr bytes.Buffer
	d := Delivery{Out: "-", Stdout: &stdout, Stderr: &stderr}
	if err := d.WriteResult(r, false); err != nil || !strings.HasPrefix(stdout.String(), "{") || stderr.String() != text.String() {
		t.Errorf("-o -: %v, stdout %.20q, stderr %d bytes", err, stdout.String(), stderr.Len())
	}
	c := capacityFixture()
	var ctext bytes.Buffer
	if err := CapacityText(&ctext, c); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	stderr.Reset()
	if err := d.WriteCapacity(c); err != nil || !strings.Contains(stdout.String(), `"schema"`) || stderr.String() != ctext.String() {
		t.Errorf("capacity -o -: %v, stdout %.20q, stderr %d bytes", err, stdout.String(), stderr.Len())
	}
	// An unwritable JSON is the error; the summary is still written.
	stdout.Reset()
	d = Delivery{Out: filepath.Join(dir, "missing", "r.json"), Stdout: &stdout, Stderr: &stderr}
	if err := d.WriteResult(r, false); err == nil || stdout.String() != text.String() {
		t.Errorf("unwritable: %v, stdout %d bytes", err, stdout.Len())
	}
}

func TestDeliveryCheck(t *testing.T) {
	flag := func(s string) string {
		if s == "out" {
			return "-o"
		}
		return "--" + s
	}
	for _, tc := range []struct {
		d    Delivery
		want string
	}{
		{Delivery{Out: "-", Files: Outputs{HTML: "r.html"}}, ""},
		{Delivery{Out: "-", Files: Outputs{Markdown: "-"}}, "out - and a report to - both write to standard output: pick one"},
		{Delivery{Out: "-", Files: Outputs{Markdown: "-", Name: flag}}, "-o - and a report to - both write to standard output: pick one"},
		{Delivery{Files: Outputs{Markdown: "x", CSV: "x", Name: flag}}, "--md and --csv both write to x"},
		{Delivery{Out: "r.json", Files: Outputs{HTML: "./r.json", Name: flag}}, "-o and --html both write to ./r.json"},
		{Delivery{Out: "r.json", Files: Outputs{Name: flag}, Side: []SideFile{{"log_requests", "r.json"}}}, "-o and --log_requests both write to r.json"},
		{Delivery{Side: []SideFile{{"stream", "s"}, {"log_requests", "d/../s"}}}, "stream and log_requests both write to d/../s"},
		{Delivery{Files: Outputs{CSV: "t.csv"}, Side: []SideFile{{"stream", "t.csv"}}}, "csv and stream both write to t.csv"},
		{Delivery{Out: "-", Files: Outputs{CSV: "t.csv"}, Side: []SideFile{{"stream", "-"}, {"log_requests", "l.csv"}}}, ""},
	} {
		err := tc.d.Check()
		if (err == nil) != (tc.want == "") || (err != nil && err.Error() != tc.want) {
			t.Errorf("%+v: %v, want %q", tc.d, err, tc.want)
		}
	}
}
