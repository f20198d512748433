package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
)

// reportFixture is the step-profile result the report package renders its
// golden files from.
const reportFixture = "../../internal/report/testdata/result-step.json"

// runReportCmd runs `bploadgen ARGS...` with stdin and returns the exit
// code, stdout and stderr.
func runReportCmd(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	e := &env{stdin: stdin, stdout: &out, stderr: &errb, now: func() time.Time { return time.Unix(0, 0) }}
	code := Main(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func TestReportFlags(t *testing.T) {
	var got *reportOptions
	cmd := newReportCmd(&env{}, func(o *reportOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"r.json", "--html", "a.html", "--junit", "j.xml", "--md", "-", "--csv", "t.csv", "--hlog", "l.hlog"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := reportOptions{Result: "r.json", Outputs: report.Outputs{HTML: "a.html", JUnit: "j.xml", Markdown: "-", CSV: "t.csv", HLog: "l.hlog"}}
	if !reflect.DeepEqual(*got, want) {
		t.Errorf("options = %+v, want %+v", *got, want)
	}
}

// TestReportReproducesFiles: report writes exactly what the renderers
// (which run calls through report.WriteFiles) produce for the result.
func TestReportReproducesFiles(t *testing.T) {
	r, err := result.ReadFile(reportFixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	o := report.Outputs{HTML: filepath.Join(dir, "r.html"), JUnit: filepath.Join(dir, "r.xml"), Markdown: filepath.Join(dir, "r.md"),
		CSV: filepath.Join(dir, "r.csv"), HLog: filepath.Join(dir, "r.hlog")}
	code, stdout, stderr := runReportCmd(t, nil, "report", reportFixture,
		"--html", o.HTML, "--junit", o.JUnit, "--md", o.Markdown, "--csv", o.CSV, "--hlog", o.HLog)
	if code != 0 || stdout != "" || stderr != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	wantDir := t.TempDir()
	w := report.Outputs{HTML: filepath.Join(wantDir, "r.html"), JUnit: filepath.Join(wantDir, "r.xml"),
		Markdown: filepath.Join(wantDir, "r.md"), CSV: filepath.Join(wantDir, "r.csv"), HLog: filepath.Join(wantDir, "r.hlog")}
	if err := report.WriteFiles(r, w); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"r.html", "r.xml", "r.md", "r.csv", "r.hlog"} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		want, err := os.ReadFile(filepath.Join(wantDir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: report's file differs from WriteFiles'", name)
		}
	}
}

func TestReportText(t *testing.T) {
	r, err := result.ReadFile(reportFixture)
	if err != nil {
		t.Fatal(err)
	}
	// report redacts what it reads: the fixture's target has a token.
	r.Redact(nil)
	if !strings.Contains(r.Target.URL, "token=REDACTED") {
		t.Fatalf("the fixture no longer has a secret to hide: %s", r.Target.URL)
	}
	var want bytes.Buffer
	if err := report.Text(&want, r); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runReportCmd(t, nil, "report", reportFixture)
	if code != 0 || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	if stdout != want.String() {
		t.Errorf("report printed\n%s\nwant the text summary\n%s", stdout, want.String())
	}
}

func TestReportStdinStdout(t *testing.T) {
	data, err := os.ReadFile(reportFixture)
	if err != nil {
		t.Fatal(err)
	}
	r, err := result.Read(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var want bytes.Buffer
	if err := report.WriteMarkdown(&want, r); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runReportCmd(t, bytes.NewReader(data), "report", "-", "--md", "-")
	if code != 0 || stderr != "" || stdout != want.String() {
		t.Fatalf("exit %d, stderr %q, stdout %q", code, stderr, stdout)
	}
}

func TestReportErrors(t *testing.T) {
	dir := t.TempDir()
	notJSON := filepath.Join(dir, "bad.json")
	os.WriteFile(notJSON, []byte("{not json"), 0o644)
	wrongSchema := filepath.Join(dir, "schema.json")
	os.WriteFile(wrongSchema, []byte(`{"schema":"something/else"}`), 0o644)

	r, err := result.ReadFile(reportFixture)
	if err != nil {
		t.Fatal(err)
	}
	r.Timeline[2].HDR.Latency = "not a histogram"
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := result.WriteFile(corrupt, r); err != nil {
		t.Fatal(err)
	}
	unwritable := filepath.Join(dir, "no-such-dir", "r.html")

	for _, c := range []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no argument", []string{"report"}, exitUsage, "want 1 argument"},
		{"two arguments", []string{"report", "a.json", "b.json"}, exitUsage, "want 1 argument"},
		{"unknown flag", []string{"report", reportFixture, "--pdf", "x"}, exitUsage, "unknown flag"},
		{"missing file", []string{"report", filepath.Join(dir, "nope.json")}, exitUsage, "nope.json"},
		{"not JSON", []string{"report", notJSON}, exitUsage, "bad.json"},
		{"wrong schema", []string{"report", wrongSchema, "--html", filepath.Join(dir, "x.html")}, exitUsage, "unsupported schema"},
		{"invalid histogram", []string{"report", corrupt, "--hlog", filepath.Join(dir, "x.hlog")}, exitUsage, "window 3"},
		{"same file twice", []string{"report", reportFixture, "--html", "x", "--csv", "x"}, exitUsage, "--html and --csv both write to x"},
		{"two on stdout", []string{"report", reportFixture, "--html", "-", "--md", "-"}, exitUsage, "standard output"},
		{"unwritable", []string{"report", reportFixture, "--html", unwritable}, exitRunFailed, unwritable},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, stderr := runReportCmd(t, nil, c.args...)
			if code != c.code || !strings.Contains(stderr, c.stderr) || strings.Count(stderr, "\n") != 1 {
				t.Errorf("exit %d, stderr %q; want exit %d and one line containing %q", code, stderr, c.code, c.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "x.html")); !os.IsNotExist(err) {
		t.Errorf("an output was written for an invalid result")
	}
}

func TestReportHelp(t *testing.T) {
	code, stdout, _ := runReportCmd(t, nil, "report", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"--html", "--junit", "--md", "--csv", "--hlog", "Exit codes:", "1e6"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}
