package profile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/retry"
)

func TestRetrySection(t *testing.T) {
	p, err := Load("../../testdata/profiles/retry.yaml")
	if err != nil {
		t.Fatal(err)
	}
	r := p.Retry
	if r == nil {
		t.Fatal("no retry section")
	}
	want := retry.Default()
	want.On, _ = retry.ParseSet("503,429,timeout,reset")
	want.Max, want.BudgetPercent = 3, 20
	if r.Policy != want {
		t.Errorf("policy %+v\nwant   %+v", r.Policy, want)
	}
	if r.Line != 9 || r.Lines["on"] != 10 || r.Lines["budget"] != 15 || len(r.Lines) != len(RetryKeys) {
		t.Errorf("line %d, lines %v", r.Line, r.Lines)
	}
	if err := r.Policy.Check(); err != nil {
		t.Error(err)
	}

	// Keys not given keep their defaults; `on` as a scalar or a number.
	p, err = Parse("p.yaml", []byte("retry: {on: 503, max: 1, after: ignore, after_max: 0}\n"))
	if err != nil {
		t.Fatal(err)
	}
	got := p.Retry.Policy
	if !got.On.Status(503) || got.On.Status(502) || got.Max != 1 || got.HonorRetryAfter || got.RetryAfterMax != 0 ||
		got.BackoffMin != retry.DefaultBackoffMin || got.BackoffMax != retry.DefaultBackoffMax || got.BudgetPercent != 0 {
		t.Errorf("policy %+v", got)
	}
	p, _ = Parse("p.yaml", []byte("retry: {on: '5xx, connect', backoff: 10ms..20ms, budget: 7.5}\n"))
	if got := p.Retry.Policy; !got.On.Status(599) || !got.On.Error("connect") || got.BackoffMin != 10*time.Millisecond || got.BudgetPercent != 7.5 {
		t.Errorf("policy %+v", got)
	}
	if p, _ := Parse("p.yaml", []byte("seed: 1\n")); p.Retry != nil {
		t.Error("a profile without retry: has a Retry")
	}
}

func TestRetryErrors(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"retry: 3\n", "p.yaml:1: retry must be a mapping"},
		{"retry:\n  tries: 3\n", `p.yaml:2: unknown key "tries" in retry (known: on, max, backoff, after, after_max, budget)`},
		{"retry:\n  on: 503\n  on: 429\n", `p.yaml:3: duplicate key "on" in retry`},
		{"retry:\n  on: 999\n", `p.yaml:2: retry: on: "999": want status codes`},
		{"retry:\n  on: [503, nope]\n", `p.yaml:2: retry: on: "nope": want status codes`},
		{"retry:\n  on: []\n", "p.yaml:2: retry: on: empty list"},
		{"retry:\n  on: ['503,429']\n", "p.yaml:2: retry: on: one item per list entry"},
		{"retry:\n  max: -1\n", "p.yaml:2: retry: max must be between 0 and 100"},
		{"retry:\n  max: 2.5\n", "p.yaml:2: retry: max must be a whole number"},
		{"retry:\n  backoff: 5s..1s\n", `p.yaml:2: retry: backoff: "5s..1s": want MIN..MAX`},
		{"retry:\n  backoff: 100ms\n", `p.yaml:2: retry: backoff: "100ms": want MIN..MAX`},
		{"retry:\n  after: obey\n", `p.yaml:2: retry: after: "obey": want honor or ignore`},
		{"retry:\n  after_max: -1s\n", "p.yaml:2: retry: after_max must not be negative"},
		{"retry:\n  after_max: 48h\n", "p.yaml:2: retry: after_max must be at most"},
		{"retry:\n  budget: 2000%\n", `p.yaml:2: retry: budget: "2000%": want a percentage`},
		{"retry:\n  budget: [1]\n", "p.yaml:2: retry: budget must be a string"},
	}
	for _, tt := range tests {
		_, err := Parse("p.yaml", []byte(tt.yaml))
		var pe *Error
		if err == nil || !errors.As(err, &pe) || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: error %v, want prefix %q", tt.yaml, err, tt.want)
		}
	}
}
