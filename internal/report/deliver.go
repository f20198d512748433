package report

import (
	"fmt"
	"io"
	"path/filepath"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Delivery is where a command sends a document: its JSON to Out ("-" is
// Stdout, "" nowhere), the renderings in Files, and the text summary to
// Stdout, or to Stderr when the JSON or a rendering takes standard output.
type Delivery struct {
	Out   string
	Files Outputs // Files.Name also names Out ("out") and Side in errors
	// Side are the other files the command writes (while it runs: the
	// stream, the request log), which Check keeps apart from the outputs
	// and from each other. Delivery writes none of them.
	Side           []SideFile
	Stdout, Stderr io.Writer
}

// SideFile is a file a command writes besides its outputs: its setting
// ("stream", "log_requests") and path ("" none; "-", standard output, is
// the command's to check).
type SideFile struct{ Setting, Path string }

// Summary is where the text summary goes.
func (d Delivery) Summary() io.Writer {
	if d.Out == "-" || d.Files.UsesStdout() {
		return d.Stderr
	}
	return d.Stdout
}

// Check refuses two outputs to the same place (Outputs.Validate; the JSON
// and a rendering both on standard output; two of the JSON, the
// renderings and the side files naming one file, however the path is
// spelled): invalid input. Call it before anything is written.
func (d Delivery) Check() error {
	if err := d.Files.Validate(); err != nil {
		return err
	}
	name := func(s string) string {
		if d.Files.Name != nil {
			return d.Files.Name(s)
		}
		return s
	}
	if d.Out == "-" && d.Files.UsesStdout() {
		return fmt.Errorf("%s - and a report to - both write to standard output: pick one", name("out"))
	}
	files := []output{{flag: name("out"), path: d.Out}}
	files = append(files, d.Files.list()...)
	for _, f := range d.Side {
		files = append(files, output{flag: name(f.Setting), path: f.Path})
	}
	seen := map[string]string{}
	for _, f := range files {
		if f.path == "" || f.path == "-" {
			continue
		}
		key, err := filepath.Abs(f.path)
		if err != nil {
			key = filepath.Clean(f.path)
		}
		if prev, ok := seen[key]; ok {
			return fmt.Errorf("%s and %s both write to %s", prev, f.flag, f.path)
		}
		seen[key] = f.flag
	}
	return nil
}

// WriteResult writes r's JSON and renderings, then its text summary and,
// withAnalysis, its capacity analysis (a blank line before). Every write
// is tried; the first error comes back.
func (d Delivery) WriteResult(r *result.Result, withAnalysis bool) error {
	texts := []func(io.Writer) error{func(w io.Writer) error { return Text(w, r) }}
	if withAnalysis && r.Analysis != nil {
		texts = append(texts, func(w io.Writer) error {
			fmt.Fprintln(w)
			return AnalysisText(w, "this run", r, r.Analysis)
		})
	}
	return d.write(func(w io.Writer) error { return result.Write(w, r) }, func(p string) error { return result.WriteFile(p, r) },
		func() error { return WriteOutputs(r, d.Files, d.Stdout) }, texts...)
}

// WriteCapacity writes a capacity search's JSON, renderings and text
// summary, as WriteResult does.
func (d Delivery) WriteCapacity(c *result.Capacity) error {
	return d.write(func(w io.Writer) error { return result.WriteCapacity(w, c) }, func(p string) error { return result.WriteCapacityFile(p, c) },
		func() error { return WriteCapacityOutputs(c, d.Files, d.Stdout) }, func(w io.Writer) error { return CapacityText(w, c) })
}

// write writes the JSON (toStdout or toFile, as Out says), the renderings
// (files), then the texts to the summary; the first error.
func (d Delivery) write(toStdout func(io.Writer) error, toFile func(string) error, files func() error, texts ...func(io.Writer) error) error {
	var errs []error
	if d.Out == "-" {
		errs = append(errs, toStdout(d.Stdout))
	} else if d.Out != "" {
		errs = append(errs, toFile(d.Out))
	}
	errs = append(errs, files())
	for _, t := range texts {
		errs = append(errs, t(d.Summary()))
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
