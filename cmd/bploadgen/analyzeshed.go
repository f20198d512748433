package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/analysis"
)

// shedOptions are analyze's flags on how the target sheds load.
type shedOptions struct {
	Mechanism    string        // --mechanism (default: recognised)
	QueueTimeout time.Duration // --queue-timeout (queue-timeout)
	RateLimit    float64       // --rate-limit per second (rate-limit)
	Burst        float64       // --burst tokens (rate-limit)
}

func (o *shedOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Mechanism, "mechanism", "", "how the target sheds load: bounded-queue, queue-timeout, rate-limit, concurrency-limit, adaptive-limit, unbounded, none (default: recognised from the result)")
	fs.DurationVar(&o.QueueTimeout, "queue-timeout", 0, "the target's queue timeout: the longest a request waits for a worker before a 503 (default: estimated)")
	fs.Float64Var(&o.RateLimit, "rate-limit", 0, "the target's rate limit, requests per second (default: estimated)")
	fs.Float64Var(&o.Burst, "burst", 0, "the rate limit's bucket size in requests (default: estimated)")
}

// apply copies the flags into spec; ModelSpec.Validate checks them.
func (o *shedOptions) apply(s *analysis.ModelSpec) {
	s.Mechanism, s.QueueTimeout, s.RateLimit, s.Burst = o.Mechanism, o.QueueTimeout.Seconds(), o.RateLimit, o.Burst
	if s.Mechanism == "" && s.QueueTimeout > 0 {
		s.Mechanism = "queue-timeout"
	}
	if s.Mechanism == "" && s.RateLimit > 0 {
		s.Mechanism = "rate-limit"
	}
}
