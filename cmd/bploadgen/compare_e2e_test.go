package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCompareRealRuns: two runs against the same 2 ms server pass a gate
// on the median service time, and a run against a 32 ms server is flagged
// as a regression and fails it (exit 1).
//
// The gate, service.p50 < +15ms, sits halfway between the two differences
// the runs are built to have: 0 for the same server and 30 ms (32 − 2 ms
// of sleep) for the slower one, so each verdict has 15 ms of room. What
// can use that room: the median's sampling noise (600 samples: its 95%
// order-statistic interval is ±1.96·√600/2 ≈ ±24 ranks around the middle,
// well under 1 ms of this distribution), and timer overshoot, which the
// sleep adds to every request (tens of µs to about 1 ms on a busy machine,
// docs/queueing.md §5). It is service time, from the actual send, so the
// generator's own send lag on a loaded CI machine does not enter it.
func TestCompareRealRuns(t *testing.T) {
	slow := func(d time.Duration) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(d) }))
		t.Cleanup(s.Close)
		return s
	}
	fast, slower := slow(2*time.Millisecond), slow(32*time.Millisecond)
	dir := t.TempDir()
	runTo := func(url, out string) {
		t.Helper()
		code, _, errs := execMain(t, context.Background(), "run", url, "--rate", "300", "--duration", "2s", "-q", "-o", out)
		if code != 0 {
			t.Fatalf("run: exit %d %s", code, errs)
		}
	}
	base, same, worse := filepath.Join(dir, "base.json"), filepath.Join(dir, "same.json"), filepath.Join(dir, "worse.json")
	runTo(fast.URL, base)
	runTo(fast.URL, same)
	runTo(slower.URL, worse)

	code, out, errs := execMain(t, context.Background(), "compare", base, same, "--assert", "service.p50 < +15ms")
	if code != 0 {
		t.Errorf("unchanged server: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = execMain(t, context.Background(), "compare", base, worse, "--assert", "service.p50 < +15ms")
	if code != exitAssertFail || !strings.Contains(out, "regression") {
		t.Errorf("slower server: exit %d\n%s", code, out)
	}
}
