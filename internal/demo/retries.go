package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/retry"
	"github.com/bploadgen/bploadgen/internal/run"
	"github.com/bploadgen/bploadgen/internal/schedule"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// The retry demo's rates when none are given, as multiples of the
// target's capacity (targets.Config.Capacity): half of it before and after
// the spike, two and a half times it in the spike.
const (
	RetryBaseLoad  = 0.5
	RetrySpikeLoad = 2.5
)

// The retry demo's clients: on 503, at most RetryMax retries, backoff
// RetryBackoffMin..RetryBackoffMax with full jitter; the honouring
// population waits at least the Retry-After, capped at RetryAfterMax.
const (
	RetryMax        = 3
	RetryBackoffMin = 10 * time.Millisecond
	RetryBackoffMax = 100 * time.Millisecond
	RetryAfterMax   = 2 * time.Second
)

// RetryInput is the retry demo as a person gives it: the target, a spike
// (rate before and after it, its rate, when it starts, how long it lasts,
// the run's length; the rates 0 for the defaults, RetryBaseLoad and
// RetrySpikeLoad times the target's capacity), the arrival process and
// the seed.
type RetryInput struct {
	Target                      targets.Settings // its Seed is the demo's
	Rate, SpikeRate             float64          // rps; 0: the default
	SpikeAt, SpikeFor, Duration time.Duration
	Arrival                     string // poisson or uniform
	Seed                        int64

	// Name renders a setting's name in errors ("--spike-for" on a command
	// line); nil: the setting itself.
	Name func(setting string) string
}

// Clients is one population of the retry demo: its name and its policy.
type Clients struct {
	Name   string // "ignore Retry-After"
	Policy retry.Policy
}

// RetryScenario is a checked retry demo: the target, the spike's stages
// and the client populations, each run against a fresh target.
type RetryScenario struct {
	Target          targets.Config
	Stages          []profile.Stage // before, spike, and after when the spike ends before the run
	Spike           int             // the spike's index in Stages
	Rate, SpikeRate float64
	Arrival         schedule.Kind
	Seed            int64
	Clients         []Clients
}

// RetryClients are the demo's two populations, the same policy but for
// Retry-After: ignored, then honoured.
func RetryClients() []Clients {
	on, err := retry.ParseSet("503")
	if err != nil {
		panic(err) // a constant list
	}
	p := retry.Policy{On: on, Max: RetryMax, BackoffMin: RetryBackoffMin, BackoffMax: RetryBackoffMax, RetryAfterMax: RetryAfterMax}
	honor := p
	honor.HonorRetryAfter = true
	return []Clients{{Name: "ignore Retry-After", Policy: p}, {Name: "honour Retry-After", Policy: honor}}
}

// Scenario checks the input and builds the retry demo it describes.
func (in RetryInput) Scenario() (RetryScenario, error) {
	name := in.Name
	if name == nil {
		name = profile.KeyName
	}
	ts := in.Target
	ts.Seed = uint64(in.Seed)
	tcfg, err := ts.Config(name)
	if err != nil {
		return RetryScenario{}, err
	}
	rate, spikeRate := in.Rate, in.SpikeRate
	if rate == 0 {
		rate = RetryBaseLoad * tcfg.Capacity()
	}
	if spikeRate == 0 {
		spikeRate = RetrySpikeLoad * tcfg.Capacity()
	}
	if spikeRate <= rate {
		return RetryScenario{}, fmt.Errorf("%s %g must be above %s %g: the demo is a spike", name("spike_rate"), spikeRate, name("rate"), rate)
	}
	stages, err := profile.Shape{Kind: "spike", Rate: rate, SpikeRate: spikeRate, SpikeAt: in.SpikeAt, SpikeFor: in.SpikeFor, Duration: in.Duration,
		Set: map[string]bool{"rate": true, "spike_rate": true, "spike_at": true, "spike_for": true, "duration": true}}.Stages(name)
	if err != nil {
		return RetryScenario{}, err
	}
	if in.SpikeAt+in.SpikeFor >= in.Duration {
		return RetryScenario{}, fmt.Errorf("%s %s leaves no time after the spike (%s %s + %s %s): the demo measures the recovery",
			name("duration"), in.Duration, name("spike_at"), in.SpikeAt, name("spike_for"), in.SpikeFor)
	}
	arrival, err := schedule.ParseKind(in.Arrival)
	if err != nil {
		return RetryScenario{}, fmt.Errorf("%s: %w", name("arrival"), err)
	}
	spike := 0
	for i, s := range stages {
		if s.Rate == spikeRate {
			spike = i
		}
	}
	return RetryScenario{Target: tcfg, Stages: stages, Spike: spike, Rate: rate, SpikeRate: spikeRate, Arrival: arrival,
		Seed: in.Seed, Clients: RetryClients()}, nil
}

// SpikeEnd is when the spike ends, from the run's start.
func (s RetryScenario) SpikeEnd() time.Duration {
	var end time.Duration
	for _, st := range s.Stages[:s.Spike+1] {
		end += st.Duration
	}
	return end
}

// Describe says what the retry demo runs: "built-in target M/M/8/24
// (capacity 800 rps); 400 rps with a spike to 2000 rps at 2s for 3s, 14s
// in all, poisson arrivals; clients retry 503 up to 3 times, backoff
// 10ms..100ms: ignore Retry-After, then honour Retry-After".
func (s RetryScenario) Describe() string {
	var total time.Duration
	for _, st := range s.Stages {
		total += st.Duration
	}
	spikeAt := s.SpikeEnd() - s.Stages[s.Spike].Duration
	names := ""
	for i, c := range s.Clients {
		if i > 0 {
			names += ", then "
		}
		names += c.Name
	}
	return fmt.Sprintf("built-in target %s (capacity %.0f rps); %g rps with a spike to %g rps at %s for %s, %s in all, %s arrivals; clients retry 503 up to %d times, backoff %s..%s: %s",
		s.Target.Model(), s.Target.Capacity(), s.Rate, s.SpikeRate, spikeAt, s.Stages[s.Spike].Duration, total, s.Arrival,
		RetryMax, RetryBackoffMin, RetryBackoffMax, names)
}

// RunRetries runs the scenario once per client population, each against a
// fresh target on 127.0.0.1 (calling started with the population and the
// target's URL), and returns the runs side by side with each one's
// recovery after the spike (analysis.Recovery). An interrupted run ends
// the demo: the runs so far are returned, the last one interrupted.
// Errors are those of Run.
func RunRetries(ctx context.Context, s RetryScenario, o run.Options, started func(c Clients, url string)) ([]report.RetryRun, error) {
	var out []report.RetryRun
	for _, c := range s.Clients {
		sc := Scenario{Target: s.Target, Stages: s.Stages, Arrival: s.Arrival, Seed: s.Seed}
		res, err := execute(ctx, sc, "spike", c.Policy, o, func(url string) {
			if started != nil {
				started(c, url)
			}
		})
		if err != nil {
			return out, err
		}
		x := report.RetryRun{Clients: c.Name, Result: res, Spike: s.Spike, RecoveryS: -1}
		end := s.SpikeEnd().Seconds()
		if s.Spike < len(res.Stages) {
			end = res.Stages[s.Spike].EndS
		}
		if rec, ok := analysis.Recovery(res, end); ok {
			x.RecoveryS = rec
		}
		out = append(out, x)
		if res.Interrupted {
			break
		}
	}
	return out, nil
}
