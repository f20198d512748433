package report

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/bploadgen/bploadgen/internal/result"
)

// ErrInvalidResult marks a rendering that failed because the result itself
// is unusable (an undecodable histogram): invalid input, not an I/O error.
var ErrInvalidResult = errors.New("invalid result")

// Outputs names the files to render a result into; "" skips a rendering.
// "-" is standard output, which only WriteOutputs can serve.
type Outputs struct {
	HTML, JUnit, Markdown, CSV, HLog string
	// RequestsCSV is the breakdown by request as CSV (WriteRequestsCSV).
	RequestsCSV string
	// Name renders a rendering's name in errors: "html", "junit", "md",
	// "csv", "hlog" or "requests-csv" by default; a command line passes
	// its flags' names.
	Name func(output string) string
}

// output is one requested rendering: its name in errors, its path.
type output struct {
	flag, path string
	render     func(io.Writer, *result.Result) error
}

func (o Outputs) list() []output {
	all := []output{
		{"html", o.HTML, WriteHTML},
		{"junit", o.JUnit, WriteJUnit},
		{"md", o.Markdown, WriteMarkdown},
		{"csv", o.CSV, WriteCSV},
		{"hlog", o.HLog, WriteHLog},
		{"requests-csv", o.RequestsCSV, WriteRequestsCSV},
	}
	out := all[:0]
	for _, x := range all {
		if x.path != "" {
			if o.Name != nil {
				x.flag = o.Name(x.flag)
			}
			out = append(out, x)
		}
	}
	return out
}

// Empty reports whether no rendering is requested.
func (o Outputs) Empty() bool { return len(o.list()) == 0 }

// Validate rejects two renderings into the same file, and more than one
// onto standard output.
func (o Outputs) Validate() error {
	seen := map[string]string{}
	for _, x := range o.list() {
		key := x.path
		if key != "-" {
			key = filepath.Clean(key)
		}
		if prev, ok := seen[key]; ok {
			if key == "-" {
				return fmt.Errorf("%s and %s both write to standard output (-): pick one", prev, x.flag)
			}
			return fmt.Errorf("%s and %s both write to %s", prev, x.flag, x.path)
		}
		seen[key] = x.flag
	}
	return nil
}

// UsesStdout reports whether a rendering goes to standard output ("-").
func (o Outputs) UsesStdout() bool {
	for _, x := range o.list() {
		if x.path == "-" {
			return true
		}
	}
	return false
}

// CheckWritable fails early, before a run, when a file of o or one of
// extra (the result, say) cannot be created: it is a directory, or no
// file can be written where it goes. "" and "-" are skipped.
func (o Outputs) CheckWritable(extra ...string) error {
	paths := extra
	for _, x := range o.list() {
		paths = append(paths, x.path)
	}
	for _, p := range paths {
		if p == "" || p == "-" {
			continue
		}
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return fmt.Errorf("%s: is a directory", p)
		}
		f, err := os.CreateTemp(filepath.Dir(p), ".bploadgen-check-*")
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return fmt.Errorf("%s: cannot write here: %v", p, err)
		}
		f.Close()
		os.Remove(f.Name())
	}
	return nil
}

// WriteFiles renders r into every file named in o. Every rendering is
// done before any file is written, so invalid input leaves no file behind;
// each file is written to a temporary name and renamed into place. Errors
// name the file; a rendering error wraps ErrInvalidResult when the result
// is at fault.
func WriteFiles(r *result.Result, o Outputs) error { return WriteOutputs(r, o, nil) }

// WriteOutputs is WriteFiles where the path "-" means stdout.
func WriteOutputs(r *result.Result, o Outputs, stdout io.Writer) error {
	if err := o.Validate(); err != nil {
		return err
	}
	var items []rendering
	for _, x := range o.list() {
		items = append(items, rendering{x.flag, x.path, func(w io.Writer) error { return x.render(w, r) }})
	}
	return writeRenderings(items, stdout)
}

// rendering is one requested output of a document.
type rendering struct {
	flag, path string
	render     func(io.Writer) error
}

// writeRenderings renders every item before writing any (invalid input
// leaves no file behind), then writes each atomically, "-" to stdout.
func writeRenderings(items []rendering, stdout io.Writer) error {
	bufs := make([]bytes.Buffer, len(items))
	for i, x := range items {
		if x.path == "-" && stdout == nil {
			return fmt.Errorf("%s -: standard output is not available here", x.flag)
		}
		if err := x.render(&bufs[i]); err != nil {
			return fmt.Errorf("%s %s: %w", x.flag, x.path, err)
		}
	}
	for i, x := range items {
		if x.path == "-" {
			if _, err := stdout.Write(bufs[i].Bytes()); err != nil {
				return fmt.Errorf("%s -: %w", x.flag, err)
			}
			continue
		}
		if err := writeFileAtomic(x.path, bufs[i].Bytes()); err != nil {
			return fmt.Errorf("%s %s: %w", x.flag, x.path, err)
		}
	}
	return nil
}

// WriteCapacityOutputs renders a capacity search into the files o names:
// HTML, JUnit and Markdown (a capacity search has no timeline for CSV or
// an interval log); "-" means stdout.
func WriteCapacityOutputs(c *result.Capacity, o Outputs, stdout io.Writer) error {
	if o.CSV != "" || o.HLog != "" || o.RequestsCSV != "" {
		return errors.New("a capacity search renders only HTML, JUnit and Markdown")
	}
	if err := o.Validate(); err != nil {
		return err
	}
	var items []rendering
	for _, x := range []struct {
		flag, path string
		render     func(io.Writer, *result.Capacity) error
	}{{"html", o.HTML, WriteCapacityHTML}, {"junit", o.JUnit, WriteCapacityJUnit}, {"md", o.Markdown, WriteCapacityMarkdown}} {
		if x.path == "" {
			continue
		}
		if o.Name != nil {
			x.flag = o.Name(x.flag)
		}
		items = append(items, rendering{x.flag, x.path, func(w io.Writer) error { return x.render(w, c) }})
	}
	return writeRenderings(items, stdout)
}

// writeFileAtomic writes data to path through a temporary file in the same
// directory, so a reader never sees half a report.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return unwrapPath(err)
	}
	tmp := f.Name()
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp, 0o644)
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return unwrapPath(err)
	}
	return nil
}

// unwrapPath drops the (temporary) path from an *fs.PathError: the caller
// names the real file.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return fmt.Errorf("%s: %w", le.Op, le.Err)
	}
	return err
}
