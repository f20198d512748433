package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
)

// FuzzResultFile: every command that reads a result file (report, analyze,
// size --from, compare, merge) answers any file with an exit code of the
// table, and none panics or hangs (a hang fails the fuzzer by its
// timeout).
func FuzzResultFile(f *testing.F) {
	for _, b := range mergetest.Seeds() {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		in := filepath.Join(dir, "r.json")
		if err := os.WriteFile(in, data, 0o644); err != nil {
			t.Fatal(err)
		}
		for _, args := range [][]string{
			{"report", in},
			{"report", in, "--html", filepath.Join(dir, "r.html"), "--md", filepath.Join(dir, "r.md"), "--junit", filepath.Join(dir, "r.xml"),
				"--csv", filepath.Join(dir, "r.csv"), "--hlog", filepath.Join(dir, "r.hlog")},
			{"analyze", in},
			{"analyze", in, "--json", "--workers", "4", "--queue", "8"},
			{"size", "--from", in, "--slo", "p99<50ms", "--sim-arrivals", "2000"},
			{"compare", in, in},
			{"merge", in, in, "-o", filepath.Join(dir, "m.json")},
		} {
			te := newTestEnv()
			switch code := Main(context.Background(), args, &te.env); code {
			case exitOK, exitAssertFail, exitUsage, exitRunFailed:
			default:
				t.Fatalf("%v: exit %d\n%s", args, code, te.errb.String())
			}
		}
	})
}
