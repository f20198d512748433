package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// TestRetryFlags: each --retry-* flag reaches the run's policy (the
// result's retry_policy) and the engine (attempts against an always-503
// target: 2 retries each, unless the 50% budget denies them), and a bad
// value is exit 2 naming its flag.
func TestRetryFlags(t *testing.T) {
	srv, n := countingServer(t, 503, 0)
	out := filepath.Join(t.TempDir(), "out.json")
	code, _, errs := execMain(t, context.Background(), "run", srv.URL+"/", "--rate", "20", "--duration", "500ms", "-o", out,
		"--retry-on", "5xx", "--retry-max", "2", "--retry-backoff", "1ms..2ms", "--retry-after", "ignore", "--retry-after-max", "5s", "--retry-budget", "50%")
	if code != 0 {
		t.Fatalf("exit %d stderr %q", code, errs)
	}
	r := mustReadResult(t, out)
	p, a := r.RetryPolicy, r.Total.Attempts
	if p == nil || p.On != "5xx" || p.Max != 2 || p.BackoffMinS != 0.001 || p.BackoffMaxS != 0.002 || p.After != "ignore" || p.AfterMaxS != 5 || p.BudgetPercent != 50 {
		t.Fatalf("retry_policy %+v", p)
	}
	if a == nil || a.Count != n.Load() || a.Retries == 0 || a.Retries > r.Total.Sent/2 || a.BudgetDenied == 0 || !r.Total.AttemptsConserved() {
		t.Errorf("attempts %+v, server saw %d, sent %d", a, n.Load(), r.Total.Sent)
	}
	for flag, val := range map[string]string{"--retry-on": "600", "--retry-backoff": "1s", "--retry-after": "maybe", "--retry-after-max": "-1s", "--retry-budget": "x"} {
		code, _, errs := execMain(t, context.Background(), "run", srv.URL+"/", "--rate", "5", "--duration", "1s", "--retry-on", "503", "--retry-max", "1", flag, val)
		if code != 2 || !strings.Contains(errs, flag) {
			t.Errorf("%s %s: exit %d, stderr %q", flag, val, code, errs)
		}
	}
}
