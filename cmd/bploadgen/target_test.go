package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// targetArgv parses argv with a capturing runF and returns the options.
func targetArgv(t *testing.T, args ...string) *targetOptions {
	t.Helper()
	var got *targetOptions
	cmd := newTargetCmd(&newTestEnv().env, func(o *targetOptions) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return got
}

func TestTargetFlagsToOptions(t *testing.T) {
	def := targetArgv(t)
	want := targetOptions{Settings: targets.Settings{Addr: "127.0.0.1:8080", Workers: 8, Queue: 8, Service: "exp:10ms",
		Policy: "reject", Burst: 1, LimitStatus: 429, Seed: 1}, DrainTimeout: 10 * time.Second}
	if *def != want {
		t.Errorf("defaults %+v, want %+v", *def, want)
	}
	got := targetArgv(t, "--addr", "127.0.0.1:0", "--workers", "4", "--queue", "0",
		"--service", "lognormal:20ms,0.5", "--policy", "unbounded", "--seed", "7",
		"--stall-every", "2s", "--stall-for", "300ms", "--drain-timeout", "1s")
	want = targetOptions{Settings: targets.Settings{Addr: "127.0.0.1:0", Workers: 4, Queue: 0, Service: "lognormal:20ms,0.5",
		Policy: "unbounded", Burst: 1, LimitStatus: 429, Seed: 7, StallEvery: 2 * time.Second, StallFor: 300 * time.Millisecond},
		DrainTimeout: time.Second}
	if *got != want {
		t.Errorf("got %+v, want %+v", *got, want)
	}
	cfg, err := got.config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Policy != targets.Unbounded || cfg.Service.Kind != dist.Lognormal || cfg.Service.Mean != 0.020 ||
		cfg.Workers != 4 || cfg.Seed != 7 || cfg.StallEvery != 2*time.Second || cfg.Addr != "127.0.0.1:0" {
		t.Errorf("config %+v", cfg)
	}
	for _, tt := range []struct {
		args []string
		want targets.Config
	}{
		{[]string{"--policy", "deadline", "--queue-timeout", "20ms"}, targets.Config{Policy: targets.Deadline, QueueTimeout: 20 * time.Millisecond}},
		{[]string{"--policy", "ratelimit", "--limit", "200", "--burst", "10", "--limit-status", "503"}, targets.Config{Policy: targets.RateLimit, LimitRate: 200, Burst: 10, LimitStatus: 503}},
		{[]string{"--policy", "aimd", "--aimd-target", "5ms"}, targets.Config{Policy: targets.AIMD, AIMDTarget: 5 * time.Millisecond}},
	} {
		cfg, err := targetArgv(t, tt.args...).config()
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		if cfg.Policy != tt.want.Policy || cfg.QueueTimeout != tt.want.QueueTimeout || cfg.LimitRate != tt.want.LimitRate ||
			cfg.Burst != tt.want.Burst || cfg.LimitStatus != tt.want.LimitStatus || cfg.AIMDTarget != tt.want.AIMDTarget {
			t.Errorf("%v: config %+v", tt.args, cfg)
		}
	}
}

func TestTargetBadInputIsUsage(t *testing.T) {
	for _, args := range [][]string{
		{"target", "--workers", "0"},
		{"target", "--queue", "-1"},
		{"target", "--service", "uniform:10ms"},
		{"target", "--service", "exp:-1ms"},
		{"target", "--policy", "drop"},
		{"target", "--policy", "deadline"},
		{"target", "--queue-timeout", "20ms"},
		{"target", "--policy", "ratelimit"},
		{"target", "--policy", "ratelimit", "--limit", "200", "--limit-status", "500"},
		{"target", "--policy", "ratelimit", "--limit", "200", "--burst", "0"},
		{"target", "--policy", "unbounded", "--limit", "200"},
		{"target", "--stall-every", "1s"},
		{"target", "--stall-every", "1s", "--stall-for", "2s"},
		{"target", "--drain-timeout", "-1s"},
		{"target", "--workers", "x"},
		{"target", "extra"},
	} {
		code, out, errs := execMain(t, context.Background(), args...)
		if code != exitUsage || out != "" || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 2 and one line", args, code, out, errs)
		}
	}
}

func TestTargetCannotListen(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	code, _, errs := execMain(t, context.Background(), "target", "--addr", ln.Addr().String())
	if code != exitRunFailed || !strings.Contains(errs, "listen") {
		t.Errorf("busy port: exit %d, stderr %q; want 3", code, errs)
	}
}

var bannerURL = regexp.MustCompile(`target listening on (http://127\.0\.0\.1:\d+) `)

// startTarget runs `bploadgen target args...` until the returned cancel is
// called; wait returns its exit code, stdout and stderr.
func startTarget(t *testing.T, args ...string) (url string, cancel func(), wait func() (int, string, string)) {
	t.Helper()
	te := newTestEnv()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- Main(ctx, append([]string{"target", "--addr", "127.0.0.1:0"}, args...), &te.env) }()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := bannerURL.FindStringSubmatch(te.out.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("target exited %d before listening: %s", code, te.errb.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("no banner within 5 s; stdout %q", te.out.String())
		}
		time.Sleep(5 * time.Millisecond)
	}
	wait = func() (int, string, string) {
		select {
		case code := <-done:
			return code, te.out.String(), te.errb.String()
		case <-time.After(10 * time.Second):
			t.Fatal("target did not stop within 10 s of cancellation")
			return 0, "", ""
		}
	}
	return url, cancel, wait
}

func TestTargetServesUntilCancelled(t *testing.T) {
	url, cancel, wait := startTarget(t, "--workers", "2", "--queue", "3", "--service", "det:1ms")
	defer cancel()

	resp, err := http.Get(url + "/")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Server-Timing"), "queue;dur=") {
		t.Errorf("GET /: %d, Server-Timing %q", resp.StatusCode, resp.Header.Get("Server-Timing"))
	}
	resp, err = http.Get(url + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	for _, want := range []string{"bploadgen_target_workers 2", "bploadgen_target_queue_capacity 3", "bploadgen_target_served_total 1"} {
		if !strings.Contains(string(body), want+"\n") {
			t.Errorf("/metrics lacks %q", want)
		}
	}

	cancel()
	code, out, errs := wait()
	if code != exitOK || errs != "" {
		t.Errorf("after cancel: exit %d, stderr %q", code, errs)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "model M/D/2/5 (2 workers, 3 queue slots, service det:1ms, policy reject)") ||
		!strings.Contains(lines[0], "capacity 2000 rps") || !strings.Contains(lines[1], "1 served, 0 rejected") {
		t.Errorf("stdout:\n%s", out)
	}
	t.Logf("stdout:\n%s", out)
	http.DefaultClient.CloseIdleConnections()
}

func TestTargetDrainTimeoutCutsOff(t *testing.T) {
	url, cancel, wait := startTarget(t, "--workers", "1", "--service", "det:1h", "--drain-timeout", "50ms")
	defer cancel()
	got := make(chan int, 1)
	go func() {
		resp, err := http.Get(url)
		if err != nil {
			got <- 0
			return
		}
		_ = resp.Body.Close()
		got <- resp.StatusCode
	}()
	// Wait until the request is in service (busy gauge 1).
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if strings.Contains(string(body), "bploadgen_target_busy_workers 1\n") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("request never entered service")
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	code, out, errs := wait()
	if code != exitOK || !strings.Contains(errs, "1 admitted requests cut off") || !strings.Contains(out, "1 cut off") {
		t.Errorf("exit %d\nstdout %q\nstderr %q", code, out, errs)
	}
	if c := <-got; c != http.StatusServiceUnavailable {
		t.Errorf("the cut-off request got %d, want 503", c)
	}
	http.DefaultClient.CloseIdleConnections()
}
