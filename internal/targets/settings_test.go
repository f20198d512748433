package targets

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func TestSettingsConfig(t *testing.T) {
	base := Settings{Addr: "127.0.0.1:0", Workers: 4, Queue: 2, Service: "lognormal:20ms,0.5", Policy: "reject", Burst: 1, LimitStatus: 429, Seed: 7,
		StallEvery: 2 * time.Second, StallFor: 300 * time.Millisecond}
	cfg, err := base.Config(nil)
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Addr: "127.0.0.1:0", Workers: 4, Queue: 2, Service: dist.Dist{Kind: dist.Lognormal, Mean: 0.02, Sigma: 0.5},
		Seed: 7, StallEvery: 2 * time.Second, StallFor: 300 * time.Millisecond}
	if cfg != want {
		t.Errorf("config %+v\nwant   %+v", cfg, want)
	}
	for _, tc := range []struct {
		change func(*Settings)
		want   Config // the policy's fields
	}{
		{func(s *Settings) { s.Policy, s.QueueTimeout = "deadline", 20*time.Millisecond }, Config{Policy: Deadline, QueueTimeout: 20 * time.Millisecond}},
		// The bucket's settings are read only by ratelimit.
		{func(s *Settings) { s.Policy, s.Limit, s.Burst, s.LimitStatus = "ratelimit", 200, 10, 503 }, Config{Policy: RateLimit, LimitRate: 200, Burst: 10, LimitStatus: 503}},
		{func(s *Settings) { s.Policy, s.AIMDTarget = "AIMD", 5*time.Millisecond }, Config{Policy: AIMD, AIMDTarget: 5 * time.Millisecond}},
	} {
		s := base
		tc.change(&s)
		cfg, err := s.Config(nil)
		if err != nil {
			t.Fatalf("%+v: %v", s, err)
		}
		if cfg.Policy != tc.want.Policy || cfg.QueueTimeout != tc.want.QueueTimeout || cfg.LimitRate != tc.want.LimitRate ||
			cfg.Burst != tc.want.Burst || cfg.LimitStatus != tc.want.LimitStatus || cfg.AIMDTarget != tc.want.AIMDTarget {
			t.Errorf("%s: config %+v", s.Policy, cfg)
		}
	}
	flag := func(s string) string { return "--" + s }
	for _, tc := range []struct {
		change func(*Settings)
		name   func(string) string
		want   string
	}{
		{func(s *Settings) { s.Service = "uniform:10ms" }, flag, `--service: service "uniform:10ms": unknown distribution`},
		{func(s *Settings) { s.Service = "exp:-1ms" }, nil, `service: service "exp:-1ms": mean must be a positive duration`},
		{func(s *Settings) { s.Policy = "drop" }, flag, `--policy: policy "drop": want reject, unbounded, deadline, ratelimit, aimd`},
		{func(s *Settings) { s.Workers = 0 }, flag, "workers 0: must be in [1, "},
		{func(s *Settings) { s.Limit = 200 }, flag, "limit"}, // a setting of another policy
	} {
		s := base
		tc.change(&s)
		if _, err := s.Config(tc.name); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want %q", s, err, tc.want)
		}
	}
}

func TestStatsSummary(t *testing.T) {
	st := Stats{Served: 12, Rejected: 3, TimedOut: 2, Limited: 1, Aborted: 4}
	if got, want := st.Summary(), "12 served, 3 rejected (503), 2 timed out (503), 1 rate-limited, 4 cut off"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
}

func TestTargetBanner(t *testing.T) {
	exp, _ := dist.Parse("exp:10ms")
	cases := []struct {
		cfg  Config
		want string
	}{
		{Config{Workers: 8, Queue: 8, Service: exp},
			"target listening on http://x  model M/M/8/16 (8 workers, 8 queue slots, service exp:10ms, policy reject)  capacity 800 rps (c/E[S])"},
		{Config{Workers: 8, Queue: 8, Service: exp, Policy: Unbounded, StallEvery: 5 * time.Second, StallFor: time.Second},
			"target listening on http://x  model M/M/8 (8 workers, unbounded queue, service exp:10ms, policy unbounded)  capacity 800 rps (c/E[S])  stalls: every 5s for 1s"},
		{Config{Workers: 4, Service: exp, Policy: Deadline, QueueTimeout: 20 * time.Millisecond},
			"target listening on http://x  model M/M/4+D (4 workers, unbounded queue, timeout 20ms, service exp:10ms, policy deadline)  capacity 400 rps (c/E[S])"},
		{Config{Workers: 8, Queue: 8, Service: exp, Policy: RateLimit, LimitRate: 200, Burst: 10},
			"target listening on http://x  model TB → M/M/8/16 (8 workers, 8 queue slots, token bucket 200/s burst 10, service exp:10ms, policy ratelimit)  capacity 800 rps (c/E[S])"},
	}
	for _, c := range cases {
		if got := c.cfg.Banner("http://x"); got != c.want {
			t.Errorf("banner\n got %q\nwant %q", got, c.want)
		}
	}
}

// TestDefaultServer: the defaults are docs/queueing.md's reference system,
// M/M/8/16 at E[S] = 10 ms: capacity c/E[S] = 800 requests/s.
func TestDefaultServer(t *testing.T) {
	cfg, err := Settings{Addr: DefaultAddr, Workers: DefaultWorkers, Queue: DefaultQueue, Service: DefaultService,
		Policy: "reject", Burst: 1, LimitStatus: 429}.Config(nil)
	if err != nil {
		t.Fatal(err)
	}
	if k := cfg.Workers + cfg.Queue; cfg.Workers != 8 || k != 16 || cfg.Policy != Reject {
		t.Errorf("default server: c %d, K %d, policy %v; want M/M/8/16 (reject)", cfg.Workers, k, cfg.Policy)
	}
	if capacity := float64(cfg.Workers) / cfg.Service.Mean; math.Abs(capacity-800) > 1e-9 {
		t.Errorf("capacity %g requests/s, want 800", capacity)
	}
}
