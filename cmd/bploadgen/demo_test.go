package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDemoSmall runs the demo command on a short scenario (2 stages of
// 400 ms at 20 and 40 rps against 2 workers of a 1 ms service: far below
// its 2000 rps, so it passes on a busy machine) and checks what it prints
// and writes: the header on stderr, the summary and the reading on
// stdout, result.json and report.html in --out-dir.
func TestDemoSmall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errs := execMain(t, context.Background(), "demo", "--out-dir", dir, "--workers", "2", "--queue", "2", "--service", "det:1ms",
		"--from", "20", "--to", "40", "--steps", "2", "--step-duration", "400ms", "--arrival", "uniform", "-q")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	header := regexp.MustCompile(`^bploadgen demo: built-in target M/D/2/4 at http://127\.0\.0\.1:\d+ \(capacity 2000 rps\); 2 stages 20→40 rps of 400ms, uniform arrivals\n`)
	if !header.MatchString(errs) {
		t.Errorf("stderr %q", errs)
	}
	wrote := "\nWrote " + filepath.Join(dir, "result.json") + " and " + filepath.Join(dir, "report.html") + "\n"
	if !strings.HasSuffix(out, wrote) || !strings.Contains(out, "step 2 @ 40 rps") {
		t.Errorf("stdout:\n%s", out)
	}
	for _, f := range []string{"result.json", "report.html"} {
		if fi, err := os.Stat(filepath.Join(dir, f)); err != nil || fi.Size() == 0 {
			t.Errorf("%s: %v", f, err)
		}
	}
	if code, _, errs := execMain(t, context.Background(), "demo", "--out-dir", dir, "--arrival", "bursty"); code != exitUsage || !strings.HasPrefix(errs, "bploadgen: --arrival: ") {
		t.Errorf("bad arrival: exit %d, stderr %q", code, errs)
	}
}
