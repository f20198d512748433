package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/targets"
)

// targetOptions is everything `target` takes from its flags: the server's
// settings are bound straight into targets.Settings.
type targetOptions struct {
	targets.Settings               // --addr --workers --queue --service --policy ... --seed --stall-every --stall-for
	DrainTimeout     time.Duration // --drain-timeout: bound on the graceful drain
}

func (o *targetOptions) addFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.Addr, "addr", targets.DefaultAddr, "address to listen on (host:port; port 0 picks a free one)")
	fs.IntVar(&o.Workers, "workers", targets.DefaultWorkers, "number of workers c: requests served at once")
	fs.IntVar(&o.Queue, "queue", targets.DefaultQueue, "waiting slots; the system holds K = workers + queue requests (reject policy)")
	fs.StringVar(&o.Service, "service", targets.DefaultService, "service-time distribution: exp:MEAN, det:MEAN or lognormal:MEAN,SIGMA")
	addPolicyFlags(fs, &o.Settings)
	fs.Uint64Var(&o.Seed, "seed", 1, "seed of the service times: the same seed gives the same sequence of samples")
	fs.DurationVar(&o.StallEvery, "stall-every", 0, "inject an outage every D: all workers freeze (0: never)")
	fs.DurationVar(&o.StallFor, "stall-for", 0, "length of each injected outage (< --stall-every)")
	fs.DurationVar(&o.DrainTimeout, "drain-timeout", targets.DefaultDrain, "on SIGINT/SIGTERM, wait this long for admitted requests to finish, then cut them off")
}

func newTargetCmd(e *env, runF func(*targetOptions) error) *cobra.Command {
	opts := &targetOptions{}
	return command(&cobra.Command{
		Use:     "target [--addr HOST:PORT] [--workers C] [--queue Q] [--service DIST]",
		Short:   "Start a built-in, backpressure-aware target server",
		Long:    longHelp("target") + exitCodeHelp(),
		Example: examples("target"),
		Args:    noArgs,
	}, opts, runF, nil, func(ctx context.Context) error { return targetRun(ctx, e, opts) })
}

// config turns the flags into a server configuration, or a usage error.
func (o *targetOptions) config() (targets.Config, error) {
	if o.DrainTimeout < 0 {
		return targets.Config{}, usageError("target: --drain-timeout must be ≥ 0, got %v", o.DrainTimeout)
	}
	cfg, err := o.Settings.Config(flagName)
	if err != nil {
		return cfg, usageError("target: %v", err)
	}
	return cfg, nil
}

// addPolicyFlags binds the built-in target's shedding flags, shared by
// `target` and `demo`.
func addPolicyFlags(fs *pflag.FlagSet, s *targets.Settings) {
	fs.StringVar(&s.Policy, "policy", "reject", "how the target sheds load: reject (bounded queue, 503 when full), unbounded (queue without limit), deadline (wait at most --queue-timeout, then 503), ratelimit (token bucket of --limit per second and --burst tokens in front of the workers), aimd (adaptive concurrency limit)")
	fs.DurationVar(&s.QueueTimeout, "queue-timeout", 0, "deadline policy: the longest a request waits for a worker before it is answered 503")
	fs.Float64Var(&s.Limit, "limit", 0, "ratelimit policy: tokens per second")
	fs.Float64Var(&s.Burst, "burst", 1, "ratelimit policy: token bucket size (≥ 1; 1 admits one request per 1/limit)")
	fs.IntVar(&s.LimitStatus, "limit-status", 429, "ratelimit policy: status of a refused request, 429 or 503")
	fs.DurationVar(&s.AIMDTarget, "aimd-target", 0, "aimd policy: a request that waited longer than this for a worker shrinks the limit (default: the mean service time)")
}

// targetRun serves until ctx is cancelled (SIGINT/SIGTERM), then drains
// (targets.Serve). Exit codes: 2 for invalid flags, 3 when it cannot listen.
func targetRun(ctx context.Context, e *env, o *targetOptions) error {
	cfg, err := o.config()
	if err != nil {
		return err
	}
	return runFailed(targets.Serve(ctx, cfg, o.DrainTimeout, e.stdout, func(aborted uint64) {
		fmt.Fprintf(e.stderr, "bploadgen: target: drain did not finish within --drain-timeout %v: %d admitted requests cut off\n",
			o.DrainTimeout, aborted)
	}))
}
