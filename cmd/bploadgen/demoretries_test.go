package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestDemoRetriesSmall runs `demo --retries` scaled down (2 workers of a
// 20 ms service: capacity 100 rps; 50 rps with 0.4 s at 250 rps, 1.5 s a
// run, so about 3 s in all) and checks what it prints and writes. The
// spike offers 100 requests where at most 2·0.4/0.02 + 4 = 44 can be
// admitted, so both populations retry however busy the machine is.
func TestDemoRetriesSmall(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, errs := execMain(t, context.Background(), "demo", "--retries", "--out-dir", dir, "--workers", "2", "--queue", "2",
		"--service", "det:20ms", "--spike-at", "300ms", "--spike-for", "400ms", "--duration", "1500ms", "--arrival", "uniform", "-q")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	header := regexp.MustCompile(`^bploadgen demo --retries: built-in target M/D/2/4 \(capacity 100 rps\); 50 rps with a spike to 250 rps at 300ms for 400ms, 1\.5s in all, uniform arrivals; .*: ignore Retry-After, then honour Retry-After\n`)
	if !header.MatchString(errs) || strings.Count(errs, ", target at http://127.0.0.1:") != 2 {
		t.Errorf("stderr %q", errs)
	}
	for _, w := range []string{"ignore Retry-After  honour Retry-After\n", "amplification in stage 2", "goodput/s", "recovery after the spike",
		"\nWrote " + filepath.Join(dir, "ignore.json") + ", " + filepath.Join(dir, "honor.json") + " and " + filepath.Join(dir, "report.html") + "\n"} {
		if !strings.Contains(out, w) {
			t.Errorf("stdout lacks %q:\n%s", w, out)
		}
	}
	for i, name := range []string{"ignore", "honor"} {
		r, err := result.ReadFile(filepath.Join(dir, name+".json"))
		if err != nil {
			t.Fatal(err)
		}
		sp := r.Stages[1]
		if r.RetryPolicy == nil || r.RetryPolicy.After != name || sp.Attempts == nil || sp.Attempts.Retries == 0 || !sp.AttemptsConserved() {
			t.Errorf("%s (run %d): policy %+v, spike attempts %+v", name, i, r.RetryPolicy, sp.Attempts)
		}
	}
	if fi, err := os.Stat(filepath.Join(dir, "report.html")); err != nil || fi.Size() == 0 {
		t.Errorf("report.html: %v", err)
	}
	for _, tc := range []struct{ args, want string }{
		{"--retries --from 100", "bploadgen: demo: --from does not apply with --retries"},
		{"--spike-for 1s", "bploadgen: demo: --spike-for does not apply without --retries"},
		{"--retries --duration 5s", "bploadgen: --duration 5s leaves no time after the spike"},
	} {
		if code, _, errs := execMain(t, context.Background(), append([]string{"demo", "--out-dir", dir}, strings.Fields(tc.args)...)...); code != exitUsage || !strings.HasPrefix(errs, tc.want) {
			t.Errorf("%s: exit %d, stderr %q", tc.args, code, errs)
		}
	}
}
