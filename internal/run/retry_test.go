package run

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/retry"
)

const retryProfile = `target: {url: http://127.0.0.1:8080/}
stages: [{rate: 10, duration: 1s}]
retry:
  on: 503
  max: 2
  backoff: 10ms..20ms
  budget: 20%
`

// TestResolveRetry: the defaults, the profile's keys over them, the
// overrides given over the profile, one key at a time.
func TestResolveRetry(t *testing.T) {
	set := func(s string) retry.Set { x, _ := retry.ParseSet(s); return x }
	noRetry := mustProfile(t, "target: {url: http://127.0.0.1:8080/}\nstages: [{rate: 10, duration: 1s}]\n")
	withRetry := mustProfile(t, retryProfile)
	fromProfile := retry.Default()
	fromProfile.On, fromProfile.Max, fromProfile.BackoffMin, fromProfile.BackoffMax, fromProfile.BudgetPercent = set("503"), 2, 10*time.Millisecond, 20*time.Millisecond, 20
	tests := []struct {
		name string
		prof *profile.Profile
		o    Overrides
		want func(p *retry.Policy)
		base retry.Policy
	}{
		{"defaults", noRetry, Overrides{}, func(*retry.Policy) {}, retry.Default()},
		{"profile", withRetry, Overrides{}, func(*retry.Policy) {}, fromProfile},
		{"flags alone", noRetry, Overrides{Retry: RetryOverrides{On: "5xx,timeout", Max: 3, After: "ignore", AfterMax: "5s"}},
			func(p *retry.Policy) {
				p.On, p.Max, p.HonorRetryAfter, p.RetryAfterMax = set("5xx,timeout"), 3, false, 5*time.Second
			}, retry.Default()},
		{"flag over key", withRetry, Overrides{Retry: RetryOverrides{Backoff: "1s..2s", Budget: "5"}},
			func(p *retry.Policy) { p.BackoffMin, p.BackoffMax, p.BudgetPercent = time.Second, 2*time.Second, 5 }, fromProfile},
		{"max 0 given turns the profile's retries off", withRetry, Overrides{Given: given("retry_max")},
			func(p *retry.Policy) { p.Max = 0 }, fromProfile},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pl, err := Resolve(tt.prof, tt.o)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.base
			tt.want(&want)
			if pl.Retry != want {
				t.Errorf("policy %+v\nwant   %+v", pl.Retry, want)
			}
		})
	}
}

func TestResolveRetryErrors(t *testing.T) {
	noRetry := mustProfile(t, "target: {url: http://127.0.0.1:8080/}\nstages: [{rate: 10, duration: 1s}]\n")
	onless := mustProfile(t, "target: {url: http://127.0.0.1:8080/}\nstages: [{rate: 10, duration: 1s}]\nretry:\n  max: 3\n")
	flag := func(s string) string { return "--" + strings.ReplaceAll(s, "_", "-") }
	tests := []struct {
		name string
		prof *profile.Profile
		r    RetryOverrides
		want string
	}{
		{"on", noRetry, RetryOverrides{On: "600"}, `--retry-on: "600": want status codes`},
		{"max", noRetry, RetryOverrides{On: "503", Max: 101}, "--retry-max: 101: want 0 to 100"},
		{"backoff", noRetry, RetryOverrides{Backoff: "1s"}, `--retry-backoff: "1s": want MIN..MAX`},
		{"after", noRetry, RetryOverrides{After: "maybe"}, `--retry-after: "maybe": want honor or ignore`},
		{"after max", noRetry, RetryOverrides{AfterMax: "-1s"}, `--retry-after-max: "-1s": want a duration`},
		{"budget", noRetry, RetryOverrides{Budget: "x%"}, `--retry-budget: "x%": want a percentage`},
		{"max without on", noRetry, RetryOverrides{Max: 2}, "--retry-on: retries are on but nothing is retried"},
		{"profile without on", onless, RetryOverrides{}, "p.yaml:3: retry: retries are on but nothing is retried"},
		{"profile's max, flag fixes nothing", onless, RetryOverrides{Budget: "10%"}, "--retry-on: retries are on"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Resolve(tt.prof, Overrides{Retry: tt.r, Name: flag})
			var ie *InputError
			if err == nil || !errors.As(err, &ie) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Fatalf("error %v, want an InputError starting %q", err, tt.want)
			}
		})
	}
	pl, err := Resolve(onless, Overrides{Retry: RetryOverrides{On: "503"}})
	if err != nil || pl.Retry.Max != 3 || !pl.Retry.On.Status(503) {
		t.Errorf("a flag completing the profile's policy: %v %+v", err, pl)
	}
}

// TestRetryValidate: Validate checks a set policy; the zero policy is off.
func TestRetryValidate(t *testing.T) {
	pl := NewPlan(profile.RequestSpec{URL: "http://127.0.0.1:1/"}, profile.Stage{Rate: 1, To: 1, Duration: time.Second})
	pl.Retry = retry.Default()
	pl.Retry.On, _ = retry.ParseSet("503")
	pl.Retry.Max = 1
	pl.Retry.BackoffMin = 0
	if err := pl.Validate(); err == nil || !strings.Contains(err.Error(), "retry: backoff") {
		t.Errorf("Validate of a bad policy: %v", err)
	}
	pl.Retry = retry.Policy{}
	if err := pl.Validate(); err != nil {
		t.Errorf("the zero policy: %v", err)
	}
}

func TestRetryRecord(t *testing.T) {
	if RetryRecord(retry.Default()) != nil || RetryRecord(retry.Policy{}) != nil {
		t.Error("a record of a policy that never retries")
	}
	p := retry.Default()
	p.On, _ = retry.ParseSet("429,5xx,timeout")
	p.Max, p.BudgetPercent = 3, 20
	got := RetryRecord(p)
	want := result.RetryPolicy{On: "429,5xx,timeout", Max: 3, BackoffMinS: 0.1, BackoffMaxS: 5, After: "honor", AfterMaxS: 30, BudgetPercent: 20}
	if got == nil || *got != want || got.MaxDelay() != 30*time.Second {
		t.Errorf("record %+v, want %+v", got, want)
	}
	p.HonorRetryAfter = false
	if got := RetryRecord(p); got.After != "ignore" || got.MaxDelay() != 5*time.Second {
		t.Errorf("ignoring Retry-After: %+v", got)
	}
}
