package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

// update is the one switch that rewrites golden files.
var update = flag.Bool("update", false, "rewrite the golden files with what the tests produce")

// Updating reports whether this test run rewrites golden files (-update);
// a test that also regenerates its inputs (a fixture) reads it.
func Updating() bool { return *update }

// Check compares got with the golden file at path (relative to the test's
// package directory). With -update it writes got there instead, creating
// the directory. On a mismatch it writes path + ".got" and fails t with a
// diff of the lines that differ.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -update writes it)", err)
	}
	if bytes.Equal(got, want) {
		return
	}
	gotPath := path + ".got"
	if err := os.WriteFile(gotPath, got, 0o644); err != nil {
		t.Errorf("writing %s: %v", gotPath, err)
	}
	t.Errorf("%s differs from the golden file (whole output in %s; go test -update if the change is intended):\n%s",
		path, gotPath, Diff(string(want), string(got)))
}
