package result

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// Write encodes r as indented JSON, byte for byte what a json.Encoder
// indenting by two spaces writes, but the timeline a window at a time: a
// long run's timeline is most of its document (three histograms a
// second), and a document encoded whole is in memory twice over.
func Write(w io.Writer, r *Result) error {
	head := *r
	head.Timeline = nil
	b, err := json.MarshalIndent(&head, "", "  ")
	if err != nil {
		if field, v, ok := NonFinite(&head); ok {
			return fmt.Errorf("result: %s is %v, which JSON cannot hold", field, v)
		}
		return err
	}
	// A top-level key is the only one indented by exactly two spaces, and
	// a JSON string holds no raw newline.
	const key = "\n  \"timeline\": "
	i := bytes.Index(b, []byte(key+"null"))
	if i < 0 {
		return errors.New("result: no timeline key in the encoding") // the struct has one
	}
	// A row JSON cannot hold (a number past float64, summed by a merge of
	// hostile inputs) fails the write before its first byte: w may be
	// standard output, which no rename protects.
	for k := range r.Timeline {
		if field, v, ok := NonFinite(&r.Timeline[k]); ok {
			return fmt.Errorf("result: timeline row %d (t = %g s): %s is %v, which JSON cannot hold", k+1, r.Timeline[k].TS, field, v)
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	bw.Write(b[:i+len(key)])
	switch {
	case r.Timeline == nil:
		bw.WriteString("null")
	case len(r.Timeline) == 0:
		bw.WriteString("[]")
	default:
		bw.WriteString("[")
		// One encoder into one buffer: its indenting buffer and its
		// encoding state are reused row after row (MarshalIndent
		// allocates both for each).
		var row bytes.Buffer
		enc := json.NewEncoder(&row)
		enc.SetIndent("    ", "  ")
		for k := range r.Timeline {
			row.Reset()
			if err := enc.Encode(&r.Timeline[k]); err != nil {
				return err
			}
			if k > 0 {
				bw.WriteString(",")
			}
			bw.WriteString("\n    ")
			bw.Write(bytes.TrimSuffix(row.Bytes(), []byte("\n")))
		}
		bw.WriteString("\n  ]")
	}
	bw.Write(b[i+len(key)+len("null"):])
	bw.WriteString("\n")
	return bw.Flush()
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

// Read decodes one result and checks its schema. The timeline, most of a
// long run's document, is decoded a row at a time, and the rest as one
// value: the whole document is never buffered (a decoder reading it whole
// held about three times its size at once).
func Read(rd io.Reader) (*Result, error) {
	var r Result
	if err := decodeResult(json.NewDecoder(rd), &r); err != nil {
		return nil, fmt.Errorf("not a bploadgen result: %w", err)
	}
	if r.Schema != Schema {
		return nil, &SchemaError{Got: r.Schema, Want: Schema}
	}
	return &r, nil
}

// SchemaError is a document of another schema than the one read.
type SchemaError struct{ Got, Want string }

func (e *SchemaError) Error() string {
	return fmt.Sprintf("unsupported schema %q (want %q)", e.Got, e.Want)
}

// decodeResult decodes the object dec is at into r: each key but the
// timeline kept raw and decoded together at the end (json's rules: keys
// matched to fields case-insensitively, the last of a repeated key wins),
// the timeline's rows as they come.
func decodeResult(dec *json.Decoder, r *Result) error {
	if t, err := dec.Token(); err != nil {
		return err
	} else if t != json.Delim('{') {
		return fmt.Errorf("the document is %v, not an object", t)
	}
	head := map[string]json.RawMessage{}
	var timeline []Window
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		key, _ := t.(string) // an object's keys are strings
		if !strings.EqualFold(key, "timeline") {
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return err
			}
			head[key] = raw
			continue
		}
		if timeline, err = decodeTimeline(dec); err != nil {
			return fmt.Errorf("timeline: %w", err)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return err
	}
	delete(head, "timeline")
	b, err := json.Marshal(head)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, r); err != nil {
		return err
	}
	r.Timeline = timeline
	return nil
}

// decodeTimeline decodes the timeline's array (or null) a row at a time.
func decodeTimeline(dec *json.Decoder) ([]Window, error) {
	t, err := dec.Token()
	switch {
	case err != nil:
		return nil, err
	case t == nil:
		return nil, nil
	case t != json.Delim('['):
		return nil, fmt.Errorf("%v is not an array of windows", t)
	}
	out := []Window{}
	for dec.More() {
		var w Window
		if err := dec.Decode(&w); err != nil {
			return nil, fmt.Errorf("row %d: %w", len(out)+1, err)
		}
		out = append(out, w)
	}
	_, err = dec.Token() // the closing bracket
	return out, err
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
