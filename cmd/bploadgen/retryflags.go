package main

import (
	"github.com/spf13/pflag"

	"github.com/bploadgen/bploadgen/internal/run"
)

// addRetryFlags binds run's client retry flags (docs/retry.md) into the
// overrides as text; internal/run parses and checks them.
func addRetryFlags(fs *pflag.FlagSet, ov *run.RetryOverrides) {
	fs.StringVar(&ov.On, "retry-on", "", "retry these outcomes: status codes and classes, timeout, reset, connect (e.g. 503,429,5xx,timeout)")
	fs.IntVar(&ov.Max, "retry-max", 0, "retries after the first attempt (0: off; at most 100)")
	fs.StringVar(&ov.Backoff, "retry-backoff", "", "exponential backoff MIN..MAX with full jitter (default 100ms..5s)")
	fs.StringVar(&ov.After, "retry-after", "", "honor or ignore the server's Retry-After (default honor)")
	fs.StringVar(&ov.AfterMax, "retry-after-max", "", "the cap on an honoured Retry-After (default 30s)")
	fs.StringVar(&ov.Budget, "retry-budget", "", "retry budget P%: each first attempt deposits P/100 of a token, each retry spends one (default none)")
}
