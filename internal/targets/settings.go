package targets

import (
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// The default server (the target command's): the reference system of
// docs/queueing.md, M/M/8/16 at E[S] = 10 ms (capacity 800 requests/s),
// listening on the loopback; DefaultDrain bounds the graceful drain after
// a signal.
const (
	DefaultAddr    = "127.0.0.1:8080"
	DefaultWorkers = 8
	DefaultQueue   = 8
	DefaultService = "exp:10ms"
	DefaultDrain   = 10 * time.Second
)

// Settings is a server as a person gives it (the target and demo
// commands' flags): the service and the policy as text, the rest as
// numbers. Config builds the Config and checks it.
type Settings struct {
	Addr    string
	Workers int
	Queue   int
	Service string // exp:MEAN, det:MEAN or lognormal:MEAN,SIGMA (dist.Parse)

	Policy       string        // reject, unbounded, deadline, ratelimit or aimd (ParsePolicy)
	QueueTimeout time.Duration // deadline
	Limit        float64       // ratelimit: tokens per second
	Burst        float64       // ratelimit: bucket size (read only by ratelimit)
	LimitStatus  int           // ratelimit: 429 or 503 (read only by ratelimit)
	AIMDTarget   time.Duration // aimd

	Seed                 uint64
	StallEvery, StallFor time.Duration
}

// Config builds the server's configuration and validates it (a setting
// of another policy than the one chosen is an error). name renders a
// setting's name in errors ("--service" on a command line); nil: the
// setting itself (service, policy).
func (s Settings) Config(name func(setting string) string) (Config, error) {
	if name == nil {
		name = func(v string) string { return v }
	}
	svc, err := dist.Parse(s.Service)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", name("service"), err)
	}
	pol, err := ParsePolicy(s.Policy)
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", name("policy"), err)
	}
	cfg := Config{Addr: s.Addr, Workers: s.Workers, Queue: s.Queue, Service: svc, Policy: pol,
		QueueTimeout: s.QueueTimeout, LimitRate: s.Limit, AIMDTarget: s.AIMDTarget,
		Seed: s.Seed, StallEvery: s.StallEvery, StallFor: s.StallFor}
	if pol == RateLimit {
		cfg.Burst, cfg.LimitStatus = s.Burst, s.LimitStatus
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

// Banner is the one start-up line of a server listening at url: where,
// which model, what capacity.
func (c Config) Banner(url string) string {
	slots := fmt.Sprintf("%d queue slots", c.Queue)
	if c.Queue == 1 {
		slots = "1 queue slot"
	}
	switch c.Policy {
	case Unbounded:
		slots = "unbounded queue"
	case Deadline:
		slots = fmt.Sprintf("unbounded queue, timeout %v", c.QueueTimeout)
	case RateLimit:
		slots += fmt.Sprintf(", token bucket %g/s burst %g", c.LimitRate, c.Burst)
	}
	workers := fmt.Sprintf("%d workers", c.Workers)
	if c.Workers == 1 {
		workers = "1 worker"
	}
	s := fmt.Sprintf("target listening on %s  model %s (%s, %s, service %v, policy %v)  capacity %.4g rps (c/E[S])",
		url, c.Model(), workers, slots, c.Service, c.Policy, c.Capacity())
	if c.StallEvery > 0 {
		s += fmt.Sprintf("  stalls: every %v for %v", c.StallEvery, c.StallFor)
	}
	return s
}

// Summary is the counts of a stopped server's requests, for its last line:
// "12 served, 3 rejected (503), 0 timed out (503), 0 rate-limited, 0 cut off".
func (s Stats) Summary() string {
	return fmt.Sprintf("%d served, %d rejected (503), %d timed out (503), %d rate-limited, %d cut off",
		s.Served, s.Rejected, s.TimedOut, s.Limited, s.Aborted)
}
