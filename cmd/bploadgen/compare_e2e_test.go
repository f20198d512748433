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
// on the median, and a run against an 8 ms server is flagged as a
// regression and fails it (exit 1). The gate is on p50, which a few
// requests delayed by a busy CI machine cannot move, and its +50% band is
// far wider than the median's noise with 600 samples (its order-statistic
// interval spans a few per cent) yet far narrower than the +270% of a
// 2 ms → 8 ms server.
func TestCompareRealRuns(t *testing.T) {
	slow := func(d time.Duration) *httptest.Server {
		s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { time.Sleep(d) }))
		t.Cleanup(s.Close)
		return s
	}
	fast, slower := slow(2*time.Millisecond), slow(8*time.Millisecond)
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

	code, out, errs := execMain(t, context.Background(), "compare", base, same, "--assert", "p50 < +50%")
	if code != 0 {
		t.Errorf("unchanged server: exit %d\n%s%s", code, out, errs)
	}
	code, out, _ = execMain(t, context.Background(), "compare", base, worse, "--assert", "p50 < +50%")
	if code != exitAssertFail || !strings.Contains(out, "regression") {
		t.Errorf("slower server: exit %d\n%s", code, out)
	}
}
