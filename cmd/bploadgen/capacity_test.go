package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestCapacityBadInput: invalid input exits 2 with one line on stderr,
// and nothing reaches the target.
func TestCapacityBadInput(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	dir := t.TempDir()
	staged := filepath.Join(dir, "staged.yaml")
	if err := os.WriteFile(staged, []byte("target: {url: "+srv.URL+"}\nstages:\n  - {rate: 10, duration: 1s}\nassert: [p99 < 1s]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badAssert := filepath.Join(dir, "bad.yaml")
	if err := os.WriteFile(badAssert, []byte("target: {url: "+srv.URL+"}\nassert:\n  - p99 < 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{srv.URL}, "no SLO"},
		{[]string{srv.URL, "--slo", "p99 < 100"}, "--slo"},
		{[]string{srv.URL, "--slo", "p99 < 1s in each stage"}, "drop \"in each stage\""},
		{[]string{srv.URL, "--slo", "rps > 100"}, "--require"},
		{[]string{srv.URL, "--slo", "p99<1s", "--min", "500", "--max", "400"}, "--min 500 is above --max 400"},
		{[]string{srv.URL, "--slo", "p99<1s", "--rate", "100"}, "--rate: the search chooses the rates"},
		{[]string{srv.URL, "--slo", "p99<1s", "--profile", "step"}, "--profile"},
		{[]string{srv.URL, "--slo", "p99<1s", "--steps", "3"}, "--steps"},
		{[]string{srv.URL, "--slo", "p99<1s", "--assert", "p99<1s"}, "use --slo"},
		{[]string{"-f", staged}, "staged.yaml:2: capacity chooses the rates"},
		{[]string{"-f", badAssert}, "bad.yaml:3:"},
		{[]string{srv.URL, "--slo", "p99<1s", "--budget", "2s"}, "shorter than one probe"},
		{[]string{srv.URL, "--slo", "p99<1s", "--min", "1", "--budget", "30s"}, "shorter than one probe"},
		{[]string{srv.URL, "--slo", "p99<1s", "--overload", "1,2"}, "above 1"},
		{[]string{srv.URL, "--slo", "p99<1s", "--precision", "150%"}, "precision"},
		{[]string{srv.URL, "--slo", "p99<1s", "--overload", "none", "--require-backpressure"}, "--require-backpressure"},
		{[]string{srv.URL, "--slo", "p99<1s", "--model-workers", "-1"}, "capacity: --model-workers"},
		{[]string{"--slo", "p99<1s"}, "no target"},
		{[]string{srv.URL, "--slo", "p99<1s", "--reject-metric", "x_total"}, "needs --scrape"},
	} {
		code, _, errs := execMain(t, context.Background(), append([]string{"capacity"}, tc.args...)...)
		if code != exitUsage || strings.Count(errs, "\n") != 1 || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stderr %q; want exit 2 and one line with %q", tc.args, code, errs, tc.want)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the target got %d requests from invalid invocations", n)
	}
}

// TestCapacityProfileAsserts: a profile's assert: lines become SLOs,
// after which the --slo flags come; its target and arrival are used.
func TestCapacityProfileAsserts(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "p.yaml")
	body := "target: {url: http://127.0.0.1:1/}\narrival: poisson\nseed: 9\nassert:\n  - p99 < 200ms\n  - ratio(5xx) < 1%\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	var got *capacityOptions
	cmd := newCapacityCmd(&newTestEnv().env, func(o *capacityOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"-f", path, "--slo", "mean < 50ms"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	pl, err := got.plan()
	if err != nil {
		t.Fatal(err)
	}
	var slos []string
	for _, e := range pl.Asserts {
		slos = append(slos, e.Raw)
	}
	if strings.Join(slos, "; ") != "p99 < 200ms; ratio(5xx) < 1%; mean < 50ms" || pl.Arrival.String() != "poisson" || pl.Seed != 9 {
		t.Errorf("SLOs %q, arrival %s, seed %d", slos, pl.Arrival, pl.Seed)
	}
}
