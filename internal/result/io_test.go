package result

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestReadRedacted: files and standard input ("-", when given) are read in
// order and redacted; without stdin "-" is a file name; errors name the
// file or standard input.
func TestReadRedacted(t *testing.T) {
	const secret = "S3cretValue42"
	var doc bytes.Buffer
	if err := Write(&doc, leaky(secret, "g")); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "r.json")
	if err := os.WriteFile(path, doc.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	rs, err := ReadRedacted(bytes.NewReader(doc.Bytes()), path, "-")
	if err != nil || len(rs) != 2 {
		t.Fatalf("%d results, %v", len(rs), err)
	}
	for i, r := range rs {
		var b bytes.Buffer
		if err := Write(&b, r); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(b.String(), secret) {
			t.Errorf("result %d not redacted:\n%s", i, b.String())
		}
	}
	for _, tc := range []struct {
		stdin *strings.Reader
		paths []string
		want  string
	}{
		{strings.NewReader("{}"), []string{path, "-"}, `standard input: unsupported schema ""`},
		{nil, []string{"-"}, "open -: no such file or directory"},
		{nil, []string{path, filepath.Join(t.TempDir(), "none.json")}, "none.json: no such file or directory"},
	} {
		var err error
		if tc.stdin != nil {
			_, err = ReadRedacted(tc.stdin, tc.paths...)
		} else {
			_, err = ReadRedacted(nil, tc.paths...)
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want %q", tc.paths, err, tc.want)
		}
	}
}
