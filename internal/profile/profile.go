package profile

import (
	"fmt"
	"math"
	"time"
)

// Profile is a validated run plan.
type Profile struct {
	File    string // the name it was read from, for errors
	Request RequestSpec
	// Requests is the mix (`requests:`), nil for a one-request run. The
	// target's URL is their base, its headers and timeout apply to each.
	Requests []Request
	// Data is the `data:` file the placeholders read, nil without.
	Data        *Data
	Arrival     string // "uniform" or "poisson"; "" means the default
	Seed        int64
	HasSeed     bool
	MaxInFlight int // 0 means the default
	// Kind is "stages" for explicit stages, or the Shape's kind.
	Kind   string
	Stages []Stage
	// Shape is the generator the stages came from, when the file had a
	// `profile:` mapping (flags may override its parameters).
	Shape *Shape
	// RatesLine is the file line of the `stages:` or `profile:` key (0
	// without), for callers that refuse rates they choose themselves.
	RatesLine int
	// Retry is the `retry:` section (client retries), nil without.
	Retry  *Retry
	Assert []string
	// AssertLines are the file lines of Assert's entries, for errors.
	AssertLines []int
}

// RequestSpec is the blueprint of every request of the run.
type RequestSpec struct {
	URL      string
	Method   string
	Headers  []Header // in the order given
	Body     []byte
	BodyFile string
	Timeout  time.Duration // 0 means the default
}

// Header is one request header.
type Header struct{ Name, Value string }

// Stage is one planned stage: the rate goes linearly from Rate to To
// (requests per second) over Duration. To == Rate is a constant stage.
type Stage struct {
	Name     string
	Rate     float64
	To       float64
	Duration time.Duration
}

// MaxDuration bounds a run's total length (the HDR histograms' range).
const MaxDuration = 24 * time.Hour

// MaxRate bounds a stage's rate in requests per second.
const MaxRate = 10_000_000

// Duration is the planned run length, the sum of the stages.
func (p *Profile) Duration() time.Duration {
	var d time.Duration
	for _, s := range p.Stages {
		d += s.Duration
	}
	return d
}

// checkRate validates a rate in requests per second.
func checkRate(what string, r float64) error {
	if math.IsNaN(r) || math.IsInf(r, 0) || r <= 0 {
		return fmt.Errorf("%s must be > 0", what)
	}
	if r > MaxRate {
		return fmt.Errorf("%s must be at most %d rps", what, MaxRate)
	}
	return nil
}

// checkDuration validates a positive duration.
func checkDuration(what string, d time.Duration) error {
	if d <= 0 {
		return fmt.Errorf("%s must be > 0", what)
	}
	if d > MaxDuration {
		return fmt.Errorf("%s must be at most %s", what, MaxDuration)
	}
	return nil
}

// ValidateStages checks rates, durations and the total length.
func ValidateStages(stages []Stage) error {
	if len(stages) == 0 {
		return fmt.Errorf("no stages")
	}
	var total time.Duration
	for i, s := range stages {
		if err := checkRate(fmt.Sprintf("stage %d: rate", i+1), s.Rate); err != nil {
			return err
		}
		if err := checkRate(fmt.Sprintf("stage %d: to", i+1), s.To); err != nil {
			return err
		}
		if err := checkDuration(fmt.Sprintf("stage %d: duration", i+1), s.Duration); err != nil {
			return err
		}
		total += s.Duration
	}
	if total > MaxDuration {
		return fmt.Errorf("the stages last %s, more than the maximum %s", total, MaxDuration)
	}
	return nil
}

// rateName formats a rate for a stage name: 200, 12.5.
func rateName(r float64) string {
	return fmt.Sprintf("%g", math.Round(r*1000)/1000)
}
