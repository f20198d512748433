package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/retry"
	"github.com/bploadgen/bploadgen/internal/run"
	"github.com/bploadgen/bploadgen/internal/schedule"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// Input is a demo as a person gives it: the target's settings and the
// step profile (from, to, steps, step_duration; arrival; the seed of the
// arrivals and of the target's service times).
type Input struct {
	Target       targets.Settings // its Seed is the demo's
	From, To     float64          // the first and last stage's rate, rps
	Steps        int
	StepDuration time.Duration
	Arrival      string // poisson or uniform
	Seed         int64

	// Name renders a setting's name in errors ("--step-duration" on a
	// command line); nil: the setting itself.
	Name func(setting string) string
}

// Scenario is a checked demo: the target's configuration and the plan's
// stages, from From to To rps.
type Scenario struct {
	Target   targets.Config
	Stages   []profile.Stage
	From, To float64
	Arrival  schedule.Kind
	Seed     int64
}

// Scenario checks the input and builds the demo it describes.
func (in Input) Scenario() (Scenario, error) {
	name := in.Name
	if name == nil {
		name = profile.KeyName
	}
	ts := in.Target
	ts.Seed = uint64(in.Seed)
	tcfg, err := ts.Config(name)
	if err != nil {
		return Scenario{}, err
	}
	stages, err := profile.Shape{Kind: "step", From: in.From, To: in.To, Steps: in.Steps, StepDuration: in.StepDuration,
		Set: map[string]bool{"from": true, "to": true, "steps": true, "step_duration": true}}.Stages(name)
	if err != nil {
		return Scenario{}, err
	}
	arrival, err := schedule.ParseKind(in.Arrival)
	if err != nil {
		return Scenario{}, fmt.Errorf("%s: %w", name("arrival"), err)
	}
	return Scenario{Target: tcfg, Stages: stages, From: in.From, To: in.To, Arrival: arrival, Seed: in.Seed}, nil
}

// Describe says what the demo runs against the target at url: "built-in
// target M/M/8/24 at URL (capacity 800 rps); 6 stages 200→1200 rps of 5s,
// poisson arrivals".
func (s Scenario) Describe(url string) string {
	return fmt.Sprintf("built-in target %s at %s (capacity %.0f rps); %d stages %g→%g rps of %s, %s arrivals",
		s.Target.Model(), url, s.Target.Capacity(), len(s.Stages), s.From, s.To, s.Stages[0].Duration, s.Arrival)
}

// Run starts the target on 127.0.0.1, calls started with its URL, drives
// it through the stages with o (its Scrape and Analyze are the demo's:
// the target's /metrics, its known model) and closes it. Errors are those
// of run.Execute, and the target's failure to listen.
func Run(ctx context.Context, s Scenario, o run.Options, started func(url string)) (*result.Result, error) {
	return execute(ctx, s, "step", retry.Policy{}, o, started)
}

// execute is Run for a plan of any kind (the result's plan.profile) whose
// clients retry by pol (the zero Policy: no retries).
func execute(ctx context.Context, s Scenario, kind string, pol retry.Policy, o run.Options, started func(url string)) (*result.Result, error) {
	srv, err := targets.Start(s.Target)
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	if started != nil {
		started(srv.URL())
	}
	pl := run.NewPlan(profile.RequestSpec{URL: srv.URL() + "/", Method: "GET"}, s.Stages...)
	pl.Kind, pl.Arrival, pl.Seed, pl.Retry = kind, s.Arrival, s.Seed, pol
	o.Scrape, o.ScrapeMetrics, o.Analyze = srv.URL()+"/metrics", nil, run.BuiltinTarget(s.Target)
	return run.Execute(ctx, pl, o)
}
