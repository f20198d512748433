package report

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteFiles(t *testing.T) {
	r := loadFixture(t)
	dir := t.TempDir()
	o := Outputs{
		HTML: filepath.Join(dir, "r.html"), JUnit: filepath.Join(dir, "r.xml"), Markdown: filepath.Join(dir, "r.md"),
		CSV: filepath.Join(dir, "r.csv"), HLog: filepath.Join(dir, "r.hlog"),
	}
	if err := WriteFiles(r, o); err != nil {
		t.Fatal(err)
	}
	for path, render := range map[string]func(*bytes.Buffer) error{
		o.HTML:     func(b *bytes.Buffer) error { return WriteHTML(b, r) },
		o.JUnit:    func(b *bytes.Buffer) error { return WriteJUnit(b, r) },
		o.Markdown: func(b *bytes.Buffer) error { return WriteMarkdown(b, r) },
		o.CSV:      func(b *bytes.Buffer) error { return WriteCSV(b, r) },
		o.HLog:     func(b *bytes.Buffer) error { return WriteHLog(b, r) },
	} {
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var want bytes.Buffer
		if err := render(&want); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want.Bytes()) {
			t.Errorf("%s differs from its rendering", path)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 5 {
		t.Errorf("%d files in the directory, want 5 (temporary files left behind?)", len(entries))
	}
}

func TestWriteFilesErrors(t *testing.T) {
	r := loadFixture(t)
	dir := t.TempDir()

	err := WriteFiles(r, Outputs{HTML: filepath.Join(dir, "missing", "r.html")})
	if err == nil || !strings.Contains(err.Error(), "html "+filepath.Join(dir, "missing", "r.html")) {
		t.Errorf("unwritable file: err = %v, want it to name the rendering and the file", err)
	}
	if strings.Count(err.Error(), "r.html") != 1 {
		t.Errorf("the file is named more than once: %v", err)
	}

	// Errors name the renderings in report's words, or in the caller's.
	if err := WriteFiles(r, Outputs{HTML: "a.out", CSV: "./a.out"}); err == nil || !strings.Contains(err.Error(), "html and csv both write to ./a.out") {
		t.Errorf("same file twice: err = %v", err)
	}
	flag := func(o string) string { return "--" + o }
	if err := WriteFiles(r, Outputs{Markdown: "-", Name: flag}); err == nil || !strings.Contains(err.Error(), "--md -: standard output is not available") {
		t.Errorf("stdout without a writer: err = %v", err)
	}
	if err := (Outputs{HTML: "-", CSV: "-"}).Validate(); err == nil {
		t.Errorf("two outputs on stdout accepted")
	}

	// Invalid input: nothing is written, and the error says so.
	bad := loadFixture(t)
	bad.Timeline[0].HDR.Latency = "garbage"
	o := Outputs{Markdown: filepath.Join(dir, "ok.md"), HLog: filepath.Join(dir, "bad.hlog")}
	err = WriteFiles(bad, o)
	if !errors.Is(err, ErrInvalidResult) {
		t.Errorf("err = %v, want ErrInvalidResult", err)
	}
	if _, statErr := os.Stat(o.Markdown); !os.IsNotExist(statErr) {
		t.Errorf("a file was written although a rendering failed")
	}

	var stdout bytes.Buffer
	if err := WriteOutputs(r, Outputs{Markdown: "-"}, &stdout); err != nil || !strings.HasPrefix(stdout.String(), "### ") {
		t.Errorf("WriteOutputs to stdout: %v, %q", err, stdout.String())
	}
	if !(Outputs{}).Empty() || (Outputs{CSV: "x"}).Empty() {
		t.Errorf("Empty is wrong")
	}
}

// TestCheckWritable: a directory or a missing directory is refused before
// anything is rendered, naming the file; "-" and "" are not files.
func TestCheckWritable(t *testing.T) {
	dir := t.TempDir()
	ok := Outputs{HTML: filepath.Join(dir, "r.html"), Markdown: "-"}
	if err := ok.CheckWritable("", filepath.Join(dir, "out.json")); err != nil || !ok.UsesStdout() {
		t.Errorf("writable outputs: %v, stdout %v", err, ok.UsesStdout())
	}
	for _, tt := range []struct {
		o     Outputs
		extra string
		want  string
	}{
		{Outputs{CSV: dir}, "", dir + ": is a directory"},
		{Outputs{}, filepath.Join(dir, "no", "out.json"), "out.json: cannot write here: "},
	} {
		if err := tt.o.CheckWritable(tt.extra); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%+v %q: %v, want %q", tt.o, tt.extra, err, tt.want)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("CheckWritable left %d files behind", len(entries))
	}
	if (Outputs{JUnit: "x.xml"}).UsesStdout() {
		t.Error("a file counted as standard output")
	}
}
