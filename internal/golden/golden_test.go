package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	for _, tt := range []struct {
		name, want, got, diff string
	}{
		{"same", "a\nb\n", "a\nb\n", "(no line differs)"},
		{"one line changed", "1\n2\n3\n4\n5\n6\n", "1\n2\n3\nX\n5\n6\n", "@@ line 2 @@\n  2\n  3\n- 4\n+ X\n  5\n  6"},
		{"a line added", "a\nb\n", "a\nnew\nb\n", "@@ line 1 @@\n  a\n+ new\n  b\n  "},
		{"a line removed", "a\nb\nc", "a\nc", "@@ line 1 @@\n  a\n- b\n  c"},
		{"reordered", "x\ny\nz", "y\nx\nz", "@@ line 1 @@\n- x\n  y\n+ x\n  z"},
	} {
		if got := Diff(tt.want, tt.got); got != tt.diff {
			t.Errorf("%s: Diff =\n%s\nwant\n%s", tt.name, got, tt.diff)
		}
	}
}

// TestDiffBounded: a long change is cut to maxDiffLines, and a long line
// is clipped.
func TestDiffBounded(t *testing.T) {
	d := Diff(strings.Repeat("a\n", 500), strings.Repeat("b\n", 500))
	if n := strings.Count(d, "\n") + 1; n != maxDiffLines+1 || !strings.Contains(d, "more lines of diff") {
		t.Errorf("%d lines of diff:\n%s", n, d)
	}
	if d := Diff(strings.Repeat("x", 1000), strings.Repeat("y", 1000)); len(d) > 600 {
		t.Errorf("a 1000-byte line is not clipped: %d bytes", len(d))
	}
}

// fakeT records failures instead of failing the test.
type fakeT struct {
	testing.TB
	failed string
}

func (f *fakeT) Helper()                           {}
func (f *fakeT) Errorf(format string, args ...any) { f.failed = format }
func (f *fakeT) Fatalf(format string, args ...any) { f.failed = format }

// TestCheck: a match passes and writes nothing; a mismatch fails and
// writes the output beside the golden file; -update rewrites it.
func TestCheck(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "x.golden")
	ft := &fakeT{TB: t}
	Check(ft, path, []byte("v1\n"))
	if ft.failed == "" {
		t.Fatal("a missing golden file passed")
	}
	*update = true
	Check(ft, path, []byte("v1\n"))
	*update = false
	ft.failed = ""
	Check(ft, path, []byte("v1\n"))
	if _, err := os.Stat(path + ".got"); ft.failed != "" || err == nil {
		t.Errorf("a match failed (%q) or wrote .got (%v)", ft.failed, err)
	}
	Check(ft, path, []byte("v2\n"))
	if got, err := os.ReadFile(path + ".got"); ft.failed == "" || string(got) != "v2\n" || err != nil {
		t.Errorf("a mismatch: failed %q, .got %q, %v", ft.failed, got, err)
	}
	if want, _ := os.ReadFile(path); string(want) != "v1\n" {
		t.Errorf("a mismatch changed the golden file: %q", want)
	}
}
