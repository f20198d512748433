package report

import (
	"fmt"
	"io"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Delivery is where a command sends a document: its JSON to Out ("-" is
// Stdout, "" nowhere), the renderings in Files, and the text summary to
// Stdout, or to Stderr when the JSON or a rendering takes standard output.
type Delivery struct {
	Out            string
	Files          Outputs // Files.Name also names Out ("out") in errors
	Stdout, Stderr io.Writer
}

// Summary is where the text summary goes.
func (d Delivery) Summary() io.Writer {
	if d.Out == "-" || d.Files.UsesStdout() {
		return d.Stderr
	}
	return d.Stdout
}

// Check refuses two outputs to the same place (Outputs.Validate, and the
// JSON and a rendering both on standard output): invalid input.
func (d Delivery) Check() error {
	if err := d.Files.Validate(); err != nil {
		return err
	}
	if d.Out == "-" && d.Files.UsesStdout() {
		out := "out"
		if d.Files.Name != nil {
			out = d.Files.Name(out)
		}
		return fmt.Errorf("%s - and a report to - both write to standard output: pick one", out)
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
