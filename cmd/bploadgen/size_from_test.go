package main

import (
	"context"
	"strings"
	"testing"
)

// TestSizeFrom: size --from takes the rate, service time and arrival SCV
// from a saved result (here a demo-shaped run against M/M/8/24), says where
// each came from, and flags given on the command line override them.
func TestSizeFrom(t *testing.T) {
	code, out, errs := execMain(t, context.Background(), "size", "--from", "testdata/analyze_result.json", "--slo", "p99<50ms")
	if code != 0 && code != exitAssertFail {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, want := range []string{"From testdata/analyze_result.json:", "the highest achieved rate", "server-timing", "workers"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	code, out, errs = execMain(t, context.Background(), "size", "--from", "testdata/analyze_result.json", "--rate", "100", "--arrival", "poisson", "--slo", "p99<50ms", "--json")
	if code != 0 || !strings.Contains(out, `"workers":`) {
		t.Fatalf("exit %d out %s err %s", code, out, errs)
	}
	if code, _, errs = execMain(t, context.Background(), "size", "--from", "testdata/nope.json", "--slo", "p99<50ms"); code != exitUsage || !strings.Contains(errs, "nope.json") {
		t.Errorf("missing file: exit %d %s", code, errs)
	}
}
