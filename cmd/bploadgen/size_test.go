package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/golden"
)

// sizeMain runs `bploadgen ARGS` and returns the exit code, stdout and stderr.
func sizeMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, now: time.Now}
	code := Main(context.Background(), args, e)
	return code, stdout.String(), stderr.String()
}

// sizeTranscript is what a golden file holds: the command, stdout, stderr
// and the exit code.
func sizeTranscript(args []string, code int, stdout, stderr string) string {
	return "$ bploadgen " + strings.Join(args, " ") + "\n" + stdout + "--- stderr\n" + stderr + "--- exit " + strconv.Itoa(code) + "\n"
}

func TestSizeGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
		code int
	}{
		// The sheet's worked example (docs/queueing.md §6): exact M/M/c/K,
		// c = 11, p99 49.61 ms unbounded, K = 33 for rejects ≤ 0.1%.
		{"size_exact", []string{"size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms"}, exitOK},
		{"size_exact_json", []string{"size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms", "--json"}, exitOK},
		// docs/queueing.md §6.1: uniform arrivals, lognormal σ = 0.5 (SCV 0.284) → c = 10, by simulation.
		{"size_uniform_lognormal", []string{"size", "--rate", "900", "--service-time", "10ms", "--service-scv", "0.284", "--arrival", "uniform", "--slo", "p99<50ms"}, exitOK},
		// Uniform arrivals with exponential service: c = 10 instead of 11, borderline in simulation, and said so.
		{"size_uniform_exp", []string{"size", "--rate", "900", "--service-time", "10ms", "--arrival", "uniform", "--slo", "p99<50ms"}, exitOK},
		// docs/queueing.md §6.1 rule 4: lognormal σ = 1 has p99 62 ms > 50 ms.
		{"size_infeasible_service", []string{"size", "--rate", "900", "--service-time", "lognormal:10ms,1", "--slo", "p99<50ms"}, exitAssertFail},
		// docs/queueing.md §3: 8 workers at 900/s reject at least 1 − 1/ρ = 11.1%.
		{"size_infeasible_overload", []string{"size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms", "--workers", "8"}, exitAssertFail},
		// docs/queueing.md §6.2 "Combine": c = 10 with rejects ≤ 1% needs K ≥ 29, the SLO K ≤ 21.
		{"size_combine_json", []string{"size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms", "--workers", "10", "--max-reject", "1%", "--json"}, exitAssertFail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := sizeMain(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d; stderr %q", code, tt.code, stderr)
			}
			if n := strings.Count(stderr, "\n"); n > 1 {
				t.Errorf("stderr has %d lines, want at most one: %q", n, stderr)
			}
			golden.Check(t, filepath.Join("testdata", tt.name+".golden"), []byte(sizeTranscript(tt.args, code, stdout, stderr)))
		})
	}
}

func TestSizeJSONContract(t *testing.T) {
	// docs/cli.md: --json prints
	// {"workers":C,"queue":K,"utilization":U,"model":"...","predicted":{"response_p99_s":...,"block_ratio":...}}
	// with "queue" the waiting slots (target --queue), in that order.
	code, stdout, stderr := sizeMain(t, "size", "--rate", "900", "--service-time", "10ms", "--slo", "p99 < 50ms", "--json")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	var got struct {
		Workers     int     `json:"workers"`
		Queue       int     `json:"queue"`
		Utilization float64 `json:"utilization"`
		Model       string  `json:"model"`
		Predicted   struct {
			P99   float64 `json:"response_p99_s"`
			Block float64 `json:"block_ratio"`
		} `json:"predicted"`
		Capacity int `json:"capacity_k"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatal(err)
	}
	if got.Workers != 11 || got.Queue != 22 || got.Capacity != 33 || got.Model != "M/M/c/K" ||
		math.Abs(got.Utilization-9.0/11) > 1e-12 || math.Abs(got.Predicted.P99-0.04907) > 5e-6 || math.Abs(got.Predicted.Block-0.000951) > 5e-7 {
		t.Errorf("got %+v", got)
	}
	order := []string{`"workers"`, `"queue"`, `"utilization"`, `"model"`, `"predicted"`, `"response_p99_s"`, `"block_ratio"`}
	last := -1
	for _, k := range order {
		i := strings.Index(stdout, k)
		if i < last {
			t.Errorf("key %s out of order in %s", k, stdout)
		}
		last = i
	}
}

func TestSizeFlags(t *testing.T) {
	var got *sizeOptions
	e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	cmd := newSizeCmd(e, func(o *sizeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--rate", "900", "--service-time", "10ms", "--service-scv", "0.284", "--arrival", "uniform",
		"--slo", "p99<50ms", "--max-reject", "1%", "--max-utilization", "0.9", "--workers", "12", "--seed", "7", "--sim-arrivals", "50000", "--json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Rate != 900 || got.ServiceTime != "10ms" || got.ServiceSCV != 0.284 || got.Arrival != "uniform" ||
		got.SLO != "p99<50ms" || got.MaxReject != "1%" || got.MaxUtilization != "0.9" || got.Workers != 12 || got.Seed != 7 ||
		got.SimArrivals != 50000 || !got.JSON || !got.given("service-scv") || got.given("arrival-scv") {
		t.Errorf("options = %+v", got)
	}
	spec, err := got.spec()
	if err != nil {
		t.Fatal(err)
	}
	if spec.Rate != 900 || spec.ArrivalSCV != 0 || spec.MaxReject != 0.01 || spec.MaxUtilization != 0.9 || spec.Workers != 12 ||
		spec.SLO.Quantile != 0.99 || spec.SLO.Target != 0.05 || spec.SimArrivals != 50000 || math.Abs(spec.Service.SCV()-0.284) > 1e-12 {
		t.Errorf("spec = %+v", spec)
	}
	// Defaults: Poisson, 0.1%, no utilisation ceiling, seed 1, 200 000 arrivals.
	got = nil
	cmd = newSizeCmd(e, func(o *sizeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"--rate", "900", "--service-time", "exp:10ms", "--slo", "p99<50ms"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	spec, err = got.spec()
	if err != nil || spec.ArrivalSCV != 1 || spec.MaxReject != 0.001 || spec.MaxUtilization != 1 || got.Seed != 1 || spec.SimArrivals != 200_000 || spec.Workers != 0 {
		t.Errorf("defaults: %+v, %v", spec, err)
	}
}

func TestSizeUsageErrors(t *testing.T) {
	// Every bad input is exit 2 with one line on stderr and nothing on stdout.
	base := []string{"size", "--rate", "900", "--service-time", "10ms", "--slo", "p99<50ms"}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"size", "--from", "result.json", "--slo", "p99<50ms"}, "size --from: open result.json"},
		{[]string{"size", "--service-time", "10ms", "--slo", "p99<50ms"}, "--rate"},
		{[]string{"size", "--rate", "-5", "--service-time", "10ms", "--slo", "p99<50ms"}, "--rate"},
		{[]string{"size", "--rate", "900", "--slo", "p99<50ms"}, "--service-time is required"},
		{[]string{"size", "--rate", "900", "--service-time", "10ms"}, "--slo is required"},
		{with("extra"), "unexpected argument"},
		{with("--slo", "p99>50ms"), "use < or <="},
		{with("--slo", "p999<50ms"), "did you mean p99.9?"},
		{with("--slo", "p99<-5ms"), "is negative"},
		{with("--slo", "p99<0s"), "positive duration"},
		{with("--slo", "mean<50ms"), "a percentile of the response time"},
		{with("--slo", "p99<50ms in each stage"), "a sizing has no stages"},
		{with("--service-time", "fast"), "--service-time"},
		{with("--service-time", "uniform:10ms"), "unknown distribution"},
		{with("--service-time", "det:10ms", "--service-scv", "0"), "drop --service-scv"},
		{with("--service-scv", "-1"), "--service-scv"},
		{with("--arrival", "bursty"), "poisson or uniform"},
		{with("--arrival", "uniform", "--arrival-scv", "0.2"), "not both"},
		{with("--arrival-scv", "-0.5"), "--arrival-scv"},
		{with("--max-reject", "0"), "--max-reject"},
		{with("--max-reject", "150%"), "--max-reject"},
		{with("--max-reject", "lots"), "--max-reject"},
		{with("--max-utilization", "1.2"), "--max-utilization"},
		{with("--workers", "-2"), "--workers"},
		{with("--sim-arrivals", "10", "--arrival", "uniform"), "arrivals per simulation"},
		{with("--rate", "1e300"), "out of range"},
		{with("--bogus"), "unknown flag"},
	}
	var transcript strings.Builder
	for _, tt := range tests {
		code, stdout, stderr := sizeMain(t, tt.args...)
		if code != exitUsage || stdout != "" || strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit 2, one line containing %q", tt.args, code, stdout, stderr, tt.want)
		}
		transcript.WriteString(sizeTranscript(tt.args, code, stdout, stderr))
	}
	golden.Check(t, filepath.Join("testdata", "size_errors.golden"), []byte(transcript.String()))
}
