package capacity

import (
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/run"
)

// Settings are a search as a person asks for it (the capacity command's
// flags): numbers, and text in the notations of docs/cli.md. Config checks
// them and builds the search. The settings are named min, max, budget,
// precision, require, overload, require_backpressure, reject_metric and
// scrape; the model's are ModelInput's.
type Settings struct {
	Min, Max            float64       // rps, read when given; Min not given: DefaultMin
	Budget              time.Duration // the whole search's
	Precision           string        // a fraction or a percentage ("5%")
	Require             float64       // the capacity wanted, rps (0: none)
	Overload            string        // ParseOverload: "1.5,2,3" or "none"
	RequireBackpressure bool          // the gate on the backpressure verdict (needs overload probes)
	RejectCounters      []string      // Config.RejectCounters
	Scraped             bool          // the target's metrics are scraped (the reject counters need it)
	// Model is what is known of the target's queueing model, for the
	// forecaster (its Name and Given are the caller's).
	Model analysis.ModelInput

	// Given reports whether a setting was given (min, max); nil: neither.
	Given func(setting string) bool
	// Name renders a setting's name in errors ("--min" on a command line);
	// nil: the setting itself.
	Name func(setting string) string
}

func (s *Settings) given(v string) bool { return s.Given != nil && s.Given(v) }

func (s *Settings) name(v string) string {
	if s.Name != nil {
		return s.Name(v)
	}
	return v
}

// Config checks the settings and builds the search of pl's SLOs (its
// gates) with its timeout and arrival process, validated.
func (s *Settings) Config(pl *run.Plan) (Config, error) {
	cfg := Config{SLOs: pl.Asserts, Min: s.Min, Max: s.Max, Budget: s.Budget, Require: s.Require,
		Timeout: pl.Timeout, Arrival: pl.Arrival.String(), RejectCounters: s.RejectCounters}
	if len(s.RejectCounters) > 0 && !s.Scraped {
		return cfg, fmt.Errorf("%s needs %s", s.name("reject_metric"), s.name("scrape"))
	}
	prec, err := assert.ParseFraction(s.Precision)
	if err != nil {
		return cfg, fmt.Errorf("%s: %v", s.name("precision"), err)
	}
	cfg.Precision = prec
	if cfg.Overload, err = ParseOverload(s.Overload); err != nil {
		return cfg, fmt.Errorf("%s %v", s.name("overload"), err)
	}
	min, max := s.name("min"), s.name("max")
	switch {
	case s.RequireBackpressure && len(cfg.Overload) == 0:
		return cfg, fmt.Errorf("%s needs overload probes: drop %s none", s.name("require_backpressure"), s.name("overload"))
	case s.Require < 0:
		return cfg, fmt.Errorf("%s must be > 0", s.name("require"))
	case s.given("min") && !(s.Min > 0):
		return cfg, fmt.Errorf("%s must be > 0", min)
	case s.given("max") && !(s.Max > 0):
		return cfg, fmt.Errorf("%s must be > 0", max)
	case s.Max > profile.MaxRate || s.Min > profile.MaxRate:
		return cfg, fmt.Errorf("%s and %s must be at most %d rps", min, max, profile.MaxRate)
	case s.given("min") && s.given("max") && s.Min > s.Max:
		return cfg, fmt.Errorf("%s %s is above %s %s", min, numfmt.Rate(s.Min), max, numfmt.Rate(s.Max))
	case s.Budget <= 0:
		return cfg, fmt.Errorf("%s must be > 0", s.name("budget"))
	}
	if !s.given("min") {
		cfg.Min = DefaultMin(cfg.SLOs, s.Budget, s.Max)
	}
	spec, err := s.Model.Spec()
	if err != nil {
		return cfg, err
	}
	cfg.Forecast = ModelForecaster(spec)
	return cfg, cfg.Validate()
}

// Plan resolves a profile (nil: none) and overrides into the plan a
// search probes: the request, arrival, seed, limits, and the SLOs as its
// gates (the overrides' Asserts after the profile's assert lines). Its
// stages are a placeholder (RunProber plans each segment's own), so a
// profile with stages or a rate shape is refused, as an *run.InputError.
func Plan(prof *profile.Profile, ov run.Overrides) (*run.Plan, error) {
	if prof != nil && (len(prof.Stages) > 0 || prof.Shape != nil) {
		return nil, &run.InputError{Err: fmt.Errorf("%s:%d: capacity chooses the rates itself: remove stages/profile from the file (its target, arrival, seed and assert lines are used)", prof.File, prof.RatesLine)}
	}
	if err := scopeless(prof, ov.Asserts); err != nil {
		return nil, &run.InputError{Err: err}
	}
	ov.Shape = profile.Shape{Kind: "constant", Set: map[string]bool{"rate": true, "duration": true}, Rate: 1, Duration: time.Second}
	return run.Resolve(prof, ov)
}

// scopeless refuses an SLO with a scope before the placeholder plan is
// resolved, whose single stage would otherwise answer "stage 2 does not
// exist" for "in stage2": each probe is judged as a whole (CheckSLOs says
// the same after resolution). SLOs that do not parse are left to
// run.Resolve, which reports them with their file and line.
func scopeless(prof *profile.Profile, flags []string) error {
	var all []string
	if prof != nil {
		all = append(all, prof.Assert...)
	}
	for _, s := range append(all, flags...) {
		if e, err := assert.Parse(s); err == nil && e.Scope.Kind != assert.Run {
			return scopeError(e)
		}
	}
	return nil
}

// GateFailed reports whether a finished search fails its gates: no
// capacity found, the capacity below Require, or, with
// RequireBackpressure, a backpressure verdict other than holds.
func (s *Settings) GateFailed(doc *result.Capacity) bool {
	return doc.CapacityRPS == 0 || doc.RequireMet != nil && !*doc.RequireMet ||
		s.RequireBackpressure && (doc.Backpressure == nil || doc.Backpressure.Verdict != result.BackpressureHolds)
}
