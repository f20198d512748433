package compare_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/bploadgen/bploadgen/internal/compare"
	"github.com/bploadgen/bploadgen/internal/golden"
)

// The three renderings of one comparison (a 50% slower server with a few
// more rejections), checked against golden files.
func TestCompareGolden(t *testing.T) {
	slow := spec(2)
	slow.Slowdown = 0.5
	slow.Reject = 0.02
	rep, err := compare.Options{Diffs: mustDiffs(t, "p99 < +10%", "p50 < +5ms in each stage", "ratio(503) < +0.5%", "rps > -5%")}.
		Compare(build(t, spec(1)), build(t, slow))
	if err != nil {
		t.Fatal(err)
	}
	rep.Base.Name, rep.New.Name = "base.json", "new.json"
	for _, c := range []struct {
		file  string
		write func(*bytes.Buffer) error
	}{
		{"report.txt", func(b *bytes.Buffer) error { return rep.WriteText(b) }},
		{"report.md", func(b *bytes.Buffer) error { return rep.WriteMarkdown(b) }},
		{"report.json", func(b *bytes.Buffer) error { return rep.WriteJSON(b) }},
	} {
		var b bytes.Buffer
		if err := c.write(&b); err != nil {
			t.Fatal(err)
		}
		golden.Check(t, filepath.Join("testdata", c.file+".golden"), b.Bytes())
	}
}
