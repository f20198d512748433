package retry

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Defaults of a Policy, as docs/cli.md states them.
const (
	DefaultBackoffMin    = 100 * time.Millisecond
	DefaultBackoffMax    = 5 * time.Second
	DefaultRetryAfterMax = 30 * time.Second
)

// Policy is how the simulated clients retry. The zero Policy never retries
// (Max 0); Default gives the documented defaults for the rest.
type Policy struct {
	On  Set // outcomes retried
	Max int // retries after the first attempt; 0: off

	// BackoffMin..BackoffMax: the n-th retry (n from 1) waits a uniform
	// draw in [0, min(BackoffMax, BackoffMin·2ⁿ⁻¹)) after the attempt
	// that failed ("full jitter").
	BackoffMin, BackoffMax time.Duration

	// HonorRetryAfter: wait at least the server's Retry-After, capped at
	// RetryAfterMax. Otherwise Retry-After is ignored.
	HonorRetryAfter bool
	RetryAfterMax   time.Duration

	// BudgetPercent > 0 limits retries with a Budget: each first attempt
	// deposits BudgetPercent/100 of a token, each retry spends one. 0: no
	// budget.
	BudgetPercent float64
}

// Default is the policy with every default and retries off.
func Default() Policy {
	return Policy{BackoffMin: DefaultBackoffMin, BackoffMax: DefaultBackoffMax,
		HonorRetryAfter: true, RetryAfterMax: DefaultRetryAfterMax}
}

// Enabled reports whether any retry can happen.
func (p Policy) Enabled() bool { return p.Max > 0 && !p.On.Empty() }

// Check reports the first inconsistency in p, in the policy's own words.
func (p Policy) Check() error {
	switch {
	case p.Max < 0:
		return fmt.Errorf("retries %d: want 0 or more", p.Max)
	case p.Max > 0 && p.On.Empty():
		return fmt.Errorf("retries are on but nothing is retried: name the statuses or errors to retry")
	case p.BackoffMin <= 0 || p.BackoffMax < p.BackoffMin:
		return fmt.Errorf("backoff %s..%s: want 0 < MIN <= MAX", p.BackoffMin, p.BackoffMax)
	case p.RetryAfterMax < 0:
		return fmt.Errorf("Retry-After cap %s: want 0 or more", p.RetryAfterMax)
	case p.BudgetPercent < 0 || p.BudgetPercent > 1000 || math.IsNaN(p.BudgetPercent):
		return fmt.Errorf("budget %g%%: want 0 to 1000%%", p.BudgetPercent)
	}
	return nil
}

// Delay is how long after a failed attempt retry n (1 for the first retry)
// is due. u is a uniform draw in [0, 1) (the jitter); retryAfter is the
// failed response's Retry-After and has is whether it had a valid one.
// Honoured, the delay is at least min(retryAfter, RetryAfterMax).
func (p Policy) Delay(n int, u float64, retryAfter time.Duration, has bool) time.Duration {
	ceil := p.BackoffMax
	if n >= 1 && n < 63 {
		if b := p.BackoffMin << (n - 1); b > 0 && b < ceil && b>>(n-1) == p.BackoffMin {
			ceil = b
		}
	}
	u = min(max(u, 0), math.Nextafter(1, 0))
	d := time.Duration(u * float64(ceil))
	if p.HonorRetryAfter && has {
		d = max(d, min(retryAfter, p.RetryAfterMax))
	}
	return d
}

// ParseBackoff reads "MIN..MAX" as two Go durations, 0 < MIN <= MAX.
func ParseBackoff(s string) (lo, hi time.Duration, err error) {
	a, b, ok := strings.Cut(s, "..")
	if ok {
		lo, err = time.ParseDuration(strings.TrimSpace(a))
		if err == nil {
			hi, err = time.ParseDuration(strings.TrimSpace(b))
		}
	}
	if !ok || err != nil || lo <= 0 || hi < lo {
		return 0, 0, fmt.Errorf("%q: want MIN..MAX, two durations with 0 < MIN <= MAX, like 100ms..5s", s)
	}
	return lo, hi, nil
}

// ParseHonor reads "honor" (true) or "ignore" (false).
func ParseHonor(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "honor", "honour":
		return true, nil
	case "ignore":
		return false, nil
	}
	return false, fmt.Errorf("%q: want honor or ignore", s)
}

// ParseBudget reads a budget percentage, "20%" or "20" (both 20), 0 to 1000.
func ParseBudget(s string) (float64, error) {
	v := strings.TrimSuffix(strings.TrimSpace(s), "%")
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil || f < 0 || f > 1000 || math.IsNaN(f) {
		return 0, fmt.Errorf("%q: want a percentage from 0%% to 1000%%, like 20%%", s)
	}
	return f, nil
}
