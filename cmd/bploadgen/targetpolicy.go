package main

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/targets"
)

// policyOptions are the built-in target's shedding flags, shared by
// `target` and `demo`.
type policyOptions struct {
	Policy       string        // --policy reject|unbounded|deadline|ratelimit|aimd
	QueueTimeout time.Duration // --queue-timeout (deadline)
	Limit        float64       // --limit R per second (ratelimit)
	Burst        float64       // --burst B tokens (ratelimit)
	LimitStatus  int           // --limit-status 429|503 (ratelimit)
	AIMDTarget   time.Duration // --aimd-target (aimd)
}

func (o *policyOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Policy, "policy", "reject", "how the target sheds load: reject (bounded queue, 503 when full), unbounded (queue without limit), deadline (wait at most --queue-timeout, then 503), ratelimit (token bucket of --limit per second and --burst tokens in front of the workers), aimd (adaptive concurrency limit)")
	fs.DurationVar(&o.QueueTimeout, "queue-timeout", 0, "deadline policy: the longest a request waits for a worker before it is answered 503")
	fs.Float64Var(&o.Limit, "limit", 0, "ratelimit policy: tokens per second")
	fs.Float64Var(&o.Burst, "burst", 1, "ratelimit policy: token bucket size (≥ 1; 1 admits one request per 1/limit)")
	fs.IntVar(&o.LimitStatus, "limit-status", 429, "ratelimit policy: status of a refused request, 429 or 503")
	fs.DurationVar(&o.AIMDTarget, "aimd-target", 0, "aimd policy: a request that waited longer than this for a worker shrinks the limit (default: the mean service time)")
}

// apply sets cfg's policy from the flags; Config.Validate checks the
// combination (a setting of another policy is an error).
func (o *policyOptions) apply(cfg *targets.Config) error {
	pol, err := targets.ParsePolicy(o.Policy)
	if err != nil {
		return err
	}
	cfg.Policy = pol
	// Settings of another policy reach Validate, which refuses them.
	cfg.QueueTimeout, cfg.LimitRate, cfg.AIMDTarget = o.QueueTimeout, o.Limit, o.AIMDTarget
	if pol == targets.RateLimit {
		cfg.Burst, cfg.LimitStatus = o.Burst, o.LimitStatus
	}
	return nil
}
