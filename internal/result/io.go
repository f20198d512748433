package result

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Write encodes r as indented JSON.
func Write(w io.Writer, r *Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// WriteFile writes r to path (via a temporary file and a rename, so a
// reader never sees half a result).
func WriteFile(path string, r *Result) error {
	return writeFileWith(path, func(w io.Writer) error { return Write(w, r) })
}

// writeFileWith writes path with write, via a temporary file and a rename.
func writeFileWith(path string, write func(io.Writer) error) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.Rename(tmp, path)
}

// Read decodes one result and checks its schema.
func Read(rd io.Reader) (*Result, error) {
	var r Result
	dec := json.NewDecoder(rd)
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("not a bploadgen result: %w", err)
	}
	if r.Schema != Schema {
		return nil, fmt.Errorf("unsupported schema %q (want %q)", r.Schema, Schema)
	}
	return &r, nil
}

// ReadFile reads a result from path; errors name the file.
func ReadFile(path string) (*Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r, err := Read(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

// ReadRedacted reads the saved results at paths, in order, each redacted
// again: a result file may come from anywhere. With stdin not nil, the
// path "-" reads it (its errors say "standard input"); errors name the
// file.
func ReadRedacted(stdin io.Reader, paths ...string) ([]*Result, error) {
	rs := make([]*Result, len(paths))
	for i, path := range paths {
		var r *Result
		var err error
		if path == "-" && stdin != nil {
			if r, err = Read(stdin); err != nil {
				return nil, fmt.Errorf("standard input: %w", err)
			}
		} else if r, err = ReadFile(path); err != nil {
			return nil, err
		}
		r.Redact(nil)
		rs[i] = r
	}
	return rs, nil
}
