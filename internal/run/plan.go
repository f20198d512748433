package run

import (
	"errors"
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/retry"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Plan is a run decided before anything is sent: the request, the stages,
// the arrival process and the gates. Build one with Resolve (a profile and
// overrides), NewPlan, or as a literal; Execute validates it.
type Plan struct {
	Request profile.RequestSpec // Body holds the bytes to send; BodyFile is only a record
	// Kind labels the rate shape in the result (plan.profile): "constant",
	// "step", "spike", "ramp", or "stages" for explicit stages.
	Kind        string
	Stages      []profile.Stage
	Arrival     schedule.Kind
	Seed        int64         // seeds the arrival process: the same seed, the same schedule
	MaxInFlight int           // the generator's bound on requests in flight, 1 to MaxMaxInFlight
	Timeout     time.Duration // per request, from the actual send; at most MaxTimeout
	Asserts     []assert.Expr // the gates, evaluated on the result
	Shard       schedule.Shard
	StartAt     time.Time // wall-clock start, for shards starting together; zero: at once
	// Retry is how the simulated clients retry (issue #17). The zero
	// Policy and retry.Default() never retry; Resolve gives the defaults.
	Retry retry.Policy
	// Mix is the request set (mix.go): requests:, a targets file, a replay,
	// or placeholders in Request; nil sends Request alone.
	Mix *Mix
}

// Defaults of a plan and of Options.
const (
	DefaultMethod      = "GET"
	DefaultArrival     = schedule.Uniform
	DefaultSeed        = 1
	DefaultMaxInFlight = 10_000
	DefaultTimeout     = 30 * time.Second
	DefaultGrace       = 2 * time.Second
)

// Bounds of a plan.
const (
	MaxMaxInFlight = 10_000_000
	MaxTimeout     = time.Hour
	MaxShards      = 10_000
	MaxBodyBytes   = profile.MaxBodyBytes // a body file's size
)

// NewPlan is a plan of explicit stages for req with the defaults: method
// GET when req has none, uniform arrivals, seed 1, 10,000 in flight, a 30 s
// timeout, no gates.
func NewPlan(req profile.RequestSpec, stages ...profile.Stage) *Plan {
	if req.Method == "" {
		req.Method = DefaultMethod
	}
	return &Plan{Request: req, Kind: "stages", Stages: stages, Arrival: DefaultArrival,
		Seed: DefaultSeed, MaxInFlight: DefaultMaxInFlight, Timeout: DefaultTimeout}
}

// InputError is an invalid plan, override or option: nothing was sent.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// invalid wraps err as an *InputError (nil stays nil).
func invalid(err error) error {
	if err == nil {
		return nil
	}
	return &InputError{Err: err}
}

// ErrNoTarget and ErrNoStages are the InputErrors of Resolve when neither
// the profile nor the overrides give a URL, or a rate plan.
var (
	ErrNoTarget = errors.New("no target URL")
	ErrNoStages = errors.New("no stages")
)

// Validate checks the plan as Execute needs it; errors are *InputError and
// name settings by their profile keys ("max_in_flight must be ...").
func (p *Plan) Validate() error {
	if p == nil {
		return invalid(errors.New("no plan"))
	}
	if p.Request.URL == "" {
		return invalid(ErrNoTarget)
	}
	if err := profile.ValidateURL(p.Request.URL); err != nil {
		return invalid(err)
	}
	if err := profile.ValidateMethod(p.Request.Method); err != nil {
		return invalid(fmt.Errorf("method: %w", err))
	}
	if len(p.Stages) == 0 {
		return invalid(ErrNoStages)
	}
	if err := profile.ValidateStages(p.Stages); err != nil && (p.Mix == nil || p.Mix.Replay == nil) { // a replay's stages may have no arrivals
		return invalid(err)
	}
	if p.Shard != (schedule.Shard{}) && (p.Shard.Count < 1 || p.Shard.Count > MaxShards || p.Shard.Index < 1 || p.Shard.Index > p.Shard.Count) {
		return invalid(fmt.Errorf("shard %d/%d: want I/N with 1 <= I <= N <= %d", p.Shard.Index, p.Shard.Count, MaxShards))
	}
	if err := p.checkLimits(keyName); err != nil {
		return invalid(err)
	}
	if p.Retry != (retry.Policy{}) {
		if err := p.Retry.Check(); err != nil {
			return invalid(fmt.Errorf("retry: %w", err))
		}
	}
	if err := assert.Validate(p.Asserts, stageNames(p.Stages)); err != nil {
		return invalid(err)
	}
	return invalid(assert.ValidateRequests(p.Asserts, p.requestNames()))
}

// checkLimits checks the bounds on in-flight requests and the timeout;
// name renders a setting in errors.
func (p *Plan) checkLimits(name func(string) string) error {
	if p.MaxInFlight < 1 || p.MaxInFlight > MaxMaxInFlight {
		return fmt.Errorf("%s must be between 1 and %d", name("max_in_flight"), MaxMaxInFlight)
	}
	if p.Timeout <= 0 || p.Timeout > MaxTimeout {
		return fmt.Errorf("%s must be > 0 and at most 1h", name("timeout"))
	}
	return nil
}

// keyName renders a setting by its profile key: the default Overrides.Name.
func keyName(setting string) string { return setting }

// peakRate is the plan's highest rate, requests per second.
func (p *Plan) peakRate() float64 {
	var m float64
	for _, s := range p.Stages {
		m = max(m, s.Rate, s.To)
	}
	return m
}

// stageNames are the plan's stage names, in order, for the gates that
// name a stage (assert.Validate).
func stageNames(stages []profile.Stage) []string {
	out := make([]string, len(stages))
	for i, st := range stages {
		out[i] = st.Name
	}
	return out
}
