package run

import (
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/retry"
)

// RetryOverrides are the retry settings given on top of a profile's
// `retry:` section, as text (internal/retry parses them). Their setting
// names (Overrides.Given, Overrides.Name) are retry_on, retry_max,
// retry_backoff, retry_after, retry_after_max and retry_budget: the
// profile key with a retry_ prefix, the flag with its dashes.
type RetryOverrides struct {
	On       string // "503,429,5xx,timeout,reset,connect"
	Max      int    // retries after the first attempt; 0 with Given: off
	Backoff  string // "MIN..MAX"
	After    string // "honor" or "ignore"
	AfterMax string // a Go duration, "30s"
	Budget   string // "20%"
}

// RetrySettings are the setting names of the retry overrides, in the order
// of RetryOverrides' fields.
var RetrySettings = []string{"retry_on", "retry_max", "retry_backoff", "retry_after", "retry_after_max", "retry_budget"}

func (r *RetryOverrides) given(s string) bool {
	switch s {
	case "retry_on":
		return r.On != ""
	case "retry_max":
		return r.Max != 0
	case "retry_backoff":
		return r.Backoff != ""
	case "retry_after":
		return r.After != ""
	case "retry_after_max":
		return r.AfterMax != ""
	case "retry_budget":
		return r.Budget != ""
	}
	return false
}

// retry resolves the plan's retry policy: retry.Default(), then the
// profile's `retry:` keys, then the overrides given, then Policy.Check.
// A policy the profile alone made inconsistent is a *profile.Error at its
// `retry:` line.
func (o *Overrides) retry(prof *profile.Profile) (retry.Policy, error) {
	pol := retry.Default()
	if prof.Retry != nil {
		pol = prof.Retry.Policy
	}
	r, over := &o.Retry, false
	for _, s := range RetrySettings {
		if o.given(s) {
			over = true
		}
	}
	var err error
	fail := func(s string, e error) (retry.Policy, error) {
		return retry.Policy{}, fmt.Errorf("%s: %v", o.name(s), e)
	}
	if o.given("retry_on") {
		if pol.On, err = retry.ParseSet(r.On); err != nil {
			return fail("retry_on", err)
		}
	}
	if o.given("retry_max") {
		if r.Max < 0 || r.Max > profile.MaxRetries {
			return fail("retry_max", fmt.Errorf("%d: want 0 to %d", r.Max, profile.MaxRetries))
		}
		pol.Max = r.Max
	}
	if o.given("retry_backoff") {
		if pol.BackoffMin, pol.BackoffMax, err = retry.ParseBackoff(r.Backoff); err != nil {
			return fail("retry_backoff", err)
		}
	}
	if o.given("retry_after") {
		if pol.HonorRetryAfter, err = retry.ParseHonor(r.After); err != nil {
			return fail("retry_after", err)
		}
	}
	if o.given("retry_after_max") {
		if pol.RetryAfterMax, err = parseAfterMax(r.AfterMax); err != nil {
			return fail("retry_after_max", err)
		}
	}
	if o.given("retry_budget") {
		if pol.BudgetPercent, err = retry.ParseBudget(r.Budget); err != nil {
			return fail("retry_budget", err)
		}
	}
	if err := pol.Check(); err != nil {
		if !over && prof.Retry != nil {
			return retry.Policy{}, &profile.Error{File: prof.File, Line: prof.Retry.Line, Msg: "retry: " + err.Error()}
		}
		if pol.Max > 0 && pol.On.Empty() {
			return fail("retry_on", err)
		}
		return retry.Policy{}, fmt.Errorf("retry: %v", err)
	}
	return pol, nil
}

// parseAfterMax reads the Retry-After cap: a Go duration from 0 to
// profile.MaxDuration.
func parseAfterMax(s string) (d time.Duration, err error) {
	d, err = time.ParseDuration(s)
	if err != nil || d < 0 || d > profile.MaxDuration {
		return 0, fmt.Errorf("%q: want a duration from 0 to %s, like 30s", s, profile.MaxDuration)
	}
	return d, nil
}

// RetryRecord is the result's record of a policy (Result.RetryPolicy,
// which the analysis reads for the largest retry delay): nil when the
// policy never retries.
func RetryRecord(p retry.Policy) *result.RetryPolicy {
	if !p.Enabled() {
		return nil
	}
	after := "ignore"
	if p.HonorRetryAfter {
		after = "honor"
	}
	return &result.RetryPolicy{On: p.On.String(), Max: p.Max, BackoffMinS: p.BackoffMin.Seconds(),
		BackoffMaxS: p.BackoffMax.Seconds(), After: after, AfterMaxS: p.RetryAfterMax.Seconds(), BudgetPercent: p.BudgetPercent}
}
