package result

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
)

// ReadDocumentRedacted reads the saved document at path, a run's result
// or a capacity search (told apart by its schema), redacted again for
// re-rendering: a document may come from anywhere. With stdin not nil,
// the path "-" reads it. Exactly one of r and c is non-nil when err is
// nil; errors name the path ("standard input" for "-").
func ReadDocumentRedacted(stdin io.Reader, path string) (r *Result, c *Capacity, err error) {
	name, data := path, []byte(nil)
	read := func() (io.ReadCloser, error) { return os.Open(path) }
	if path == "-" && stdin != nil {
		// Standard input is read once and kept: a capacity search is
		// recognised only after the result's reader has seen it.
		if data, err = io.ReadAll(stdin); err != nil {
			return nil, nil, fmt.Errorf("standard input: %w", err)
		}
		name = "standard input"
		read = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil }
	}
	f, err := read()
	if err != nil {
		return nil, nil, err
	}
	r, err = Read(f)
	f.Close()
	var se *SchemaError
	if errors.As(err, &se) && se.Got == CapacitySchema {
		if f, err = read(); err != nil {
			return nil, nil, err
		}
		c, err = ReadCapacity(f)
		f.Close()
		r = nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	if c != nil {
		c.Redact(nil)
		return nil, c, nil
	}
	r.Redact(nil)
	return r, nil, nil
}
