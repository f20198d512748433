package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// countingServer counts the requests it receives and answers with status.
func countingServer(t *testing.T, status int, delay time.Duration) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		time.Sleep(delay)
		if status == 503 {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("X-Evil", "<script>alert(1)</script>")
		}
		w.WriteHeader(status)
		w.Write([]byte("<b>body</b>"))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

// TestRunBadInput: every kind of invalid input exits 2 with one line on
// stderr that says what and where, and nothing is sent.
func TestRunBadInput(t *testing.T) {
	srv, n := countingServer(t, 200, 0)
	u := srv.URL + "/"
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		want string // a part of the one-line message
	}{
		{"malformed yaml", []string{"run", "-f", "testdata/run/malformed.yaml"}, "testdata/run/malformed.yaml:2: invalid YAML: did not find expected"},
		{"unknown key", []string{"run", "-f", "testdata/run/unknown-key.yaml"}, `testdata/run/unknown-key.yaml:4: unknown key "burst" in stage 1`},
		{"zero rate in file", []string{"run", "-f", "testdata/run/zero-rate.yaml"}, "testdata/run/zero-rate.yaml:5: rate must be > 0"},
		{"bad assertion in file", []string{"run", "-f", "testdata/run/bad-assert.yaml"}, `testdata/run/bad-assert.yaml:7: assert "p99 < 250": p99 needs a duration with a unit`},
		{"missing file", []string{"run", "-f", filepath.Join(dir, "nope.yaml")}, "no such file"},
		{"zero rate", []string{"run", u, "--rate", "0", "--duration", "1s"}, "--rate must be > 0"},
		{"negative duration", []string{"run", u, "--rate", "5", "--duration", "-1s"}, "--duration must be > 0"},
		{"no duration", []string{"run", u, "--rate", "5"}, "a constant shape needs --duration"},
		{"no plan", []string{"run", u}, "no rate plan"},
		{"invalid url", []string{"run", "ftp://x/", "--rate", "5", "--duration", "1s"}, "the scheme must be http or https"},
		{"no scheme", []string{"run", "localhost:8080", "--rate", "5", "--duration", "1s"}, `invalid URL "localhost:8080": no scheme; did you mean http://localhost:8080?`},
		{"no scheme, an address", []string{"run", "127.0.0.1:8080/x", "--rate", "5", "--duration", "1s"}, "did you mean http://127.0.0.1:8080/x?"},
		{"no url", []string{"run", "--rate", "5", "--duration", "1s"}, "no target"},
		{"bad assertion", []string{"run", u, "--rate", "5", "--duration", "1s", "--assert", "p99 <"}, "--assert: assert"},
		{"assertion on a missing stage", []string{"run", u, "--rate", "5", "--duration", "1s", "--assert", "p99<1s in stage 3"}, "stage 3"},
		{"assertion on a stage no stage is called", []string{"run", u, "--rate", "5", "--duration", "1s", "--assert", "p99<1s in stage peak"}, `no stage is called peak; the stages: "constant @ 5 rps"`},
		{"body twice", []string{"run", u, "--rate", "5", "--duration", "1s", "--body", "a", "--body-file", "b"}, "--body and --body-file"},
		{"url twice", []string{"run", u, "--url", u, "--rate", "5", "--duration", "1s"}, "not both"},
		{"foreign shape flag", []string{"run", u, "--profile", "step", "--rate", "5", "--from", "1", "--to", "2", "--steps", "2", "--step-duration", "1s"}, "--rate does not apply to a step shape"},
		{"spike too late", []string{"run", u, "--profile", "spike", "--rate", "5", "--spike-rate", "10", "--spike-at", "5s", "--spike-for", "10s", "--duration", "10s"}, "ends after --duration"},
		{"bad profile", []string{"run", u, "--profile", "wave", "--rate", "5", "--duration", "1s"}, "--profile must be"},
		{"bad arrival", []string{"run", u, "--rate", "5", "--duration", "1s", "--arrival", "bursty"}, "--arrival"},
		{"bad shard", []string{"run", u, "--rate", "5", "--duration", "1s", "--shard", "5/4"}, "--shard"},
		{"bad header", []string{"run", u, "--rate", "5", "--duration", "1s", "-H", "NoColon"}, "--header"},
		{"bad flag value", []string{"run", u, "--rate", "fast", "--duration", "1s"}, "invalid argument"},
		{"unknown flag", []string{"run", u, "--rat", "5"}, "unknown flag"},
		{"zero max in flight", []string{"run", u, "--rate", "5", "--duration", "1s", "--max-in-flight", "0"}, "--max-in-flight"},
		{"zero timeout", []string{"run", u, "--rate", "5", "--duration", "1s", "--timeout", "0s"}, "--timeout"},
		{"bad model", []string{"run", u, "--rate", "5", "--duration", "1s", "--model-workers", "-1"}, "run: --model-workers must be ≥ 1"},
		{"bad model service", []string{"run", u, "--rate", "5", "--duration", "1s", "--model-service-time", "fast"}, "run: --model-service-time"},
		{"two outputs to stdout", []string{"run", u, "--rate", "5", "--duration", "1s", "-o", "-", "--md", "-"}, "standard output"},
		{"two reports to one file", []string{"run", u, "--rate", "5", "--duration", "1s", "--md", "x", "--csv", "x"}, "both write to x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := execMain(t, context.Background(), tt.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want 2; stderr %q", code, errs)
			}
			if strings.Count(errs, "\n") != 1 || !strings.HasPrefix(errs, "bploadgen: ") {
				t.Errorf("stderr is not one line: %q", errs)
			}
			if !strings.Contains(errs, tt.want) {
				t.Errorf("stderr %q does not contain %q", errs, tt.want)
			}
			if out != "" {
				t.Errorf("stdout %q", out)
			}
		})
	}
	if n.Load() != 0 {
		t.Errorf("the server received %d requests from invalid invocations", n.Load())
	}
}

// TestRunCannotBeCarriedOut: an unwritable output or an unresolvable host
// exits 3 before anything is sent.
func TestRunCannotBeCarriedOut(t *testing.T) {
	srv, n := countingServer(t, 200, 0)
	dir := t.TempDir()
	for _, tt := range []struct {
		name string
		args []string
		want string
	}{
		{"output dir missing", []string{"run", srv.URL, "--rate", "5", "--duration", "1s", "-o", filepath.Join(dir, "no", "out.json")}, "cannot write here"},
		{"html is a directory", []string{"run", srv.URL, "--rate", "5", "--duration", "1s", "--html", dir}, "is a directory"},
		{"unresolvable host", []string{"run", "http://no-such-host.invalid/", "--rate", "5", "--duration", "1s"}, `cannot resolve the target's host "no-such-host.invalid"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := execMain(t, context.Background(), tt.args...)
			if code != exitRunFailed || !strings.Contains(errs, tt.want) || strings.Count(errs, "\n") != 1 {
				t.Errorf("exit %d stderr %q", code, errs)
			}
		})
	}
	if n.Load() != 0 {
		t.Errorf("the server received %d requests", n.Load())
	}
}

func mustReadResult(t *testing.T, path string) *result.Result {
	t.Helper()
	r, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestRunWritesResultAndGates: a real run writes a result whose counts
// match the server's, prints the summary, and the exit code follows the
// assertions: 0 when they hold, 1 when one fails.
func TestRunWritesResultAndGates(t *testing.T) {
	srv, n := countingServer(t, 200, time.Millisecond)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	code, stdout, errs := execMain(t, context.Background(), "run", srv.URL+"/", "--rate", "100", "--duration", "1s",
		"-o", out, "--assert", "p99 < 5s", "--assert", "ratio(5xx) < 1% in each stage", "--assert", "rps > 50")
	if code != 0 {
		t.Fatalf("exit %d stderr %q", code, errs)
	}
	r := mustReadResult(t, out)
	if r.Total.Scheduled != 100 || r.Total.Status["200"] != 100 || n.Load() != 100 {
		t.Errorf("scheduled %d status %v server %d", r.Total.Scheduled, r.Total.Status, n.Load())
	}
	if len(r.Assertions) != 3 || !r.Assertions[0].Pass {
		t.Errorf("assertions %+v", r.Assertions)
	}
	for _, want := range []string{"constant @ 100 rps", "total", "PASS", "p99 < 5s"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	// A failing gate: exit 1, the result still written.
	out2 := filepath.Join(dir, "out2.json")
	code, stdout, _ = execMain(t, context.Background(), "run", srv.URL+"/", "--rate", "50", "--duration", "200ms",
		"-o", out2, "--assert", "p99 < 1us")
	if code != exitAssertFail || !strings.Contains(stdout, "FAIL") {
		t.Errorf("exit %d, summary:\n%s", code, stdout)
	}
	if r2 := mustReadResult(t, out2); r2.Assertions[0].Pass {
		t.Errorf("assertion passed: %+v", r2.Assertions[0])
	}
}

// TestRunInterrupted: cancelling (what SIGINT does via main's context)
// writes the partial result marked interrupted and exits 130.
func TestRunInterrupted(t *testing.T) {
	srv, _ := countingServer(t, 200, 0)
	out := filepath.Join(t.TempDir(), "out.json")
	ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
	defer cancel()
	began := time.Now()
	code, _, errs := execMain(t, ctx, "run", srv.URL, "--rate", "50", "--duration", "30s", "-o", out, "--grace", "100ms")
	took := time.Since(began)
	if code != exitInterrupted {
		t.Fatalf("exit %d stderr %q", code, errs)
	}
	r := mustReadResult(t, out)
	// The 400 ms also pay for the command's setup (a loaded machine under
	// -race can spend most of them there), so the bounds come from the
	// result's own stop: the run started after the call and stopped before
	// it returned, and it counts at most the uniform arrivals (k × 20 ms)
	// planned by its stop, and at least the first.
	tot := r.Total
	stop := time.Duration(tot.EndS * float64(time.Second))
	planned := int64(stop/(20*time.Millisecond)) + 1
	if !r.Interrupted || stop <= 0 || stop > took || tot.Scheduled < 1 || tot.Scheduled > planned || tot.Scheduled != tot.Sent+tot.NotSent {
		t.Errorf("interrupted %v, stopped at %s (the command took %s), scheduled %d (planned by the stop %d) = sent %d + not sent %d",
			r.Interrupted, stop, took, tot.Scheduled, planned, tot.Sent, tot.NotSent)
	}
}

// TestRunRedactsSecrets: URL userinfo and Authorization/Cookie values
// appear in no output.
func TestRunRedactsSecrets(t *testing.T) {
	srv, _ := countingServer(t, 503, 0)
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	u := strings.Replace(srv.URL, "http://", "http://alice:hunter2@", 1) + "/"
	code, stdout, errs := execMain(t, context.Background(), "run", u, "--rate", "20", "--duration", "200ms",
		"-H", "Authorization: Bearer tok3n", "-H", "Cookie: sid=s3ss10n", "-H", "X-Trace: visible", "-o", out,
		"--md", filepath.Join(dir, "r.md"), "--csv", filepath.Join(dir, "r.csv"), "--junit", filepath.Join(dir, "r.xml"),
		"--html", filepath.Join(dir, "r.html"))
	if code != 0 {
		t.Fatalf("exit %d %s", code, errs)
	}
	all := stdout + errs
	for _, f := range []string{"out.json", "r.md", "r.csv", "r.xml", "r.html"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		all += string(b)
	}
	for _, secret := range []string{"hunter2", "alice", "tok3n", "s3ss10n"} {
		if strings.Contains(all, secret) {
			t.Errorf("secret %q leaked", secret)
		}
	}
	r := mustReadResult(t, out)
	if r.Target.Headers["X-Trace"] != "visible" || r.Target.Headers["Authorization"] != "REDACTED" {
		t.Errorf("headers %v", r.Target.Headers)
	}
	if s := r.Samples.Responses["503"]; s.Headers["Retry-After"] != "1" || !strings.Contains(s.Body, "<b>body</b>") {
		t.Errorf("sample %+v", s)
	}
}

// TestRunProfileFileAndStdout: a profile file drives the run, flags
// override it, and -o - writes the JSON to stdout with the summary on stderr.
func TestRunProfileFileAndStdout(t *testing.T) {
	srv, n := countingServer(t, 200, 0)
	dir := t.TempDir()
	prof := filepath.Join(dir, "p.yaml")
	os.WriteFile(prof, []byte("target: {url: '"+srv.URL+"/'}\narrival: poisson\nseed: 9\nprofile: {kind: step, from: 20, to: 60, steps: 3, step_duration: 10s}\nassert:\n  - ratio(errors) < 1%\n"), 0o644)
	code, stdout, errs := execMain(t, context.Background(), "run", "-f", prof, "--step-duration", "200ms", "-o", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r result.Result
	if err := json.Unmarshal([]byte(stdout), &r); err != nil {
		t.Fatalf("stdout is not the result: %v\n%s", err, stdout)
	}
	if len(r.Stages) != 3 || r.Stages[0].EndS != 0.2 || r.Arrival != "poisson" || r.Seed != 9 || r.Plan.Profile != "step" {
		t.Errorf("stages %d end %g arrival %s seed %d", len(r.Stages), r.Stages[0].EndS, r.Arrival, r.Seed)
	}
	if r.Total.Scheduled != n.Load() || len(r.Assertions) != 1 || !strings.Contains(errs, "step 3 @ 60 rps") {
		t.Errorf("scheduled %d server %d assertions %d stderr %q", r.Total.Scheduled, n.Load(), len(r.Assertions), errs)
	}
}
