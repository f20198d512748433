package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/live/livetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// TestRunLive: `run --metrics-listen 127.0.0.1:0 --metrics-linger 1m
// --stream - -o FILE` announces the address on stderr, keeps stdout for
// JSON lines only (the summary moves to stderr), and a scrape in the
// linger, once the totals line is out, equals the result file's totals;
// cancelling ends the linger without interrupting the finished run.
func TestRunLive(t *testing.T) {
	srv, _ := countingServer(t, 200, time.Millisecond)
	out := filepath.Join(t.TempDir(), "out.json")
	te := newTestEnv()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var final livetest.Scrape
	var scrapeErr error
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		defer cancel()
		addrRe := regexp.MustCompile(`serving metrics at http://([^/]+)/metrics`)
		deadline := time.Now().Add(30 * time.Second) // the run lasts 1 s; a bound, not a timing
		for time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
			m := addrRe.FindStringSubmatch(te.errb.String())
			if m != nil && strings.Contains(te.out.String(), `{"total":`) {
				final, scrapeErr = livetest.Get(m[1])
				return
			}
		}
	}()
	code := Main(ctx, []string{"run", srv.URL + "/", "--rate", "100", "--duration", "1s", "-q",
		"-o", out, "--stream", "-", "--metrics-listen", "127.0.0.1:0", "--metrics-linger", "1m"}, &te.env)
	<-scraped
	if code != 0 || scrapeErr != nil || final == nil {
		t.Fatalf("exit %d, scrape %v, stderr %q", code, scrapeErr, te.errb.String())
	}
	r := mustReadResult(t, out)
	if r.Interrupted {
		t.Error("ending the linger interrupted the run")
	}
	if v, _ := final.Value("bploadgen_requests_sent_total"); v != float64(r.Total.Sent) || r.Total.Sent != 100 {
		t.Errorf("sent_total %v, result %d", v, r.Total.Sent)
	}
	if v, _ := final.Value("bploadgen_responses_total", "code", "200"); v != float64(r.Total.Status["200"]) {
		t.Errorf("responses_total{code=200} %v, result %d", v, r.Total.Status["200"])
	}
	sc := bufio.NewScanner(strings.NewReader(te.out.String()))
	sc.Buffer(nil, 1<<20)
	var windows int
	var last map[string]json.RawMessage
	for sc.Scan() {
		last = nil
		if err := json.Unmarshal(sc.Bytes(), &last); err != nil {
			t.Fatalf("stdout line %q: %v", sc.Text(), err)
		}
		if _, ok := last["t_s"]; ok {
			windows++
		}
	}
	var total result.Stage
	if err := json.Unmarshal(last["total"], &total); err != nil || total.Sent != r.Total.Sent || windows != len(r.Timeline) {
		t.Errorf("%d windows (timeline %d), last line's total %+v (%v)", windows, len(r.Timeline), total, err)
	}
	if !strings.Contains(te.errb.String(), "total") {
		t.Errorf("the summary is not on stderr: %q", te.errb.String())
	}
}

// TestRunLiveBadInput: the live flags' misuse exits 2 before anything is
// sent; a non-loopback address warns (this one cannot be bound: exit 3).
func TestRunLiveBadInput(t *testing.T) {
	srv, n := countingServer(t, 200, 0)
	same := filepath.Join(t.TempDir(), "same.json")
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--stream", "-"}, exitUsage, "--stream - writes to standard output"},
		{[]string{"--stream", "-", "-o", "-"}, exitUsage, "--stream - writes to standard output"},
		{[]string{"--metrics-linger", "1s"}, exitUsage, "--metrics-linger needs --metrics-listen"},
		{[]string{"--stream", same, "-o", same}, exitUsage, "-o and --stream both write to " + same},
		{[]string{"--stream", same, "--log-requests", same}, exitUsage, "--stream and --log-requests both write to " + same},
		{[]string{"--html", same, "-o", filepath.Join(filepath.Dir(same), ".", "same.json")}, exitUsage, "-o and --html both write to "},
		{[]string{"--log-requests", same, "--requests-csv", same}, exitUsage, "--requests-csv and --log-requests both write to " + same},
		{[]string{"--metrics-listen", "127.0.0.1:0", "--metrics-linger", "-1s"}, exitUsage, "--metrics-linger must be >= 0"},
		{[]string{"--metrics-listen", "192.0.2.1:0"}, exitRunFailed, "is not a loopback address"},
		{[]string{"--stream", filepath.Join(t.TempDir(), "no", "such", "dir")}, exitRunFailed, "--stream:"},
	} {
		args := append([]string{"run", srv.URL + "/", "--rate", "10", "--duration", "200ms", "-q"}, c.args...)
		code, _, errs := execMain(t, context.Background(), args...)
		if code != c.code || !strings.Contains(errs, c.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", c.args, code, errs, c.code, c.want)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d requests sent", n.Load())
	}
	if _, err := os.Stat(same); err == nil {
		t.Errorf("a refused run created %s", same)
	}
}
