package result

import (
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// CapacitySchema is the value of Capacity.Schema (docs/capacity.md).
const CapacitySchema = "bploadgen.capacity/v1"

// Probe verdicts (CapacityProbe.Verdict, SLOCheck.Verdict).
const (
	VerdictPass      = "pass"
	VerdictFail      = "fail"
	VerdictUncertain = "uncertain"
)

// Reasons the search stopped (Capacity.StoppedBecause).
const (
	StopPrecision   = "precision"   // the bracket is within --precision of its lower end
	StopBudget      = "budget"      // the next probe would not fit the budget
	StopMax         = "max"         // --max itself passed
	StopMin         = "min"         // --min itself did not pass: no lower rate is probed
	StopInterrupted = "interrupted" // SIGINT/SIGTERM
)

// Backpressure verdicts (Backpressure.Verdict).
const (
	BackpressureHolds   = "holds"
	BackpressureFails   = "fails"
	BackpressureUnknown = "unknown"
)

// Capacity is the document `bploadgen capacity -o FILE` writes: the highest
// rate judged to meet every SLO, the probes that found it, and what the
// target did past it. Rates are per second, durations in seconds.
type Capacity struct {
	Schema    string    `json:"schema"`
	Tool      Tool      `json:"tool"`
	Target    Target    `json:"target"`
	Arrival   string    `json:"arrival"`
	Seed      int64     `json:"seed"`
	StartedAt time.Time `json:"started_at"`
	// SLO lists the objectives as given, each judged on every probe.
	SLO []string `json:"slo"`
	// CapacityRPS is the highest probed rate judged to meet every SLO (0
	// when none was).
	CapacityRPS float64           `json:"capacity_rps"`
	Bracket     CapacityBracket   `json:"bracket"`
	Probes      []CapacityProbe   `json:"probes"`
	ElapsedS    float64           `json:"elapsed_s"`
	Predicted   *CapacityForecast `json:"predicted,omitempty"`
	// StoppedBecause is one of the Stop* reasons.
	StoppedBecause string `json:"stopped_because"`
	Interrupted    bool   `json:"interrupted"`
	// Overload holds the probes at multiples of the capacity found and
	// Backpressure their verdict (absent with --overload none).
	Overload     []OverloadProbe `json:"overload,omitempty"`
	Backpressure *Backpressure   `json:"backpressure,omitempty"`

	// Settings are the search's parameters as used (defaults filled in).
	Settings CapacitySettings `json:"settings"`
	// RequireMet is false when --require was given and the capacity found
	// is below it (absent without --require).
	RequireMet *bool    `json:"require_met,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
}

// CapacityBracket is where the capacity lies: PassRPS passed, FailRPS (the
// lowest rate above it that was probed) did not. 0 means none such.
type CapacityBracket struct {
	PassRPS float64 `json:"pass_rps"`
	FailRPS float64 `json:"fail_rps"`
}

// CapacitySettings records the search's parameters.
type CapacitySettings struct {
	MinRPS     float64   `json:"min_rps"`
	MaxRPS     float64   `json:"max_rps,omitempty"` // 0: no bound
	BudgetS    float64   `json:"budget_s"`
	Precision  float64   `json:"precision"`
	RequireRPS float64   `json:"require_rps,omitempty"`
	Overload   []float64 `json:"overload,omitempty"`
	// Level is the confidence level of every interval (0.95).
	Level float64 `json:"confidence_level"`
}

// CapacityProbe is one rate the search judged: its measured part (warm-up
// excluded) as one STAGE, and each SLO's value with its interval.
type CapacityProbe struct {
	RateRPS   float64 `json:"rate_rps"`
	DurationS float64 `json:"duration_s"` // measured, warm-ups excluded
	// Samples is the number of requests scheduled in the measured part.
	Samples   int64      `json:"samples"`
	Verdict   string     `json:"verdict"`
	SLOChecks []SLOCheck `json:"slo_checks"`
	Stage     Stage      `json:"stage"`

	// ProposedBy says why this rate: "min", "ramp", "bisect", "model", "max".
	ProposedBy string `json:"proposed_by"`
	// Segments is how many runs the probe took: 1, plus one per extension
	// of an uncertain verdict.
	Segments int `json:"segments"`
	// WarmupS is the warm-up time spent before its segments, and StartS
	// when it started, seconds after the search began.
	WarmupS float64 `json:"warmup_s"`
	StartS  float64 `json:"start_s"`
	Note    string  `json:"note,omitempty"`
}

// SLOCheck is one SLO judged on one probe: the observed value and its 95%
// confidence interval, in the metric's unit (seconds, a fraction, per
// second). pass: the whole interval meets the SLO; fail: none of it does;
// uncertain: the threshold lies inside it.
type SLOCheck struct {
	Expr    string  `json:"expr"`
	Value   float64 `json:"value"`
	CILow   float64 `json:"ci_low"`
	CIHigh  float64 `json:"ci_high"`
	Verdict string  `json:"verdict"`
	// Metric, Op and Threshold are the SLO's parts; Unit is "s", "ratio"
	// or "rps", the unit of Value, the interval and Threshold.
	Metric    string  `json:"metric"`
	Op        string  `json:"op"`
	Threshold float64 `json:"threshold"`
	Unit      string  `json:"unit"`
	// Samples is the count the statistic was computed from.
	Samples int64 `json:"samples"`
	// OpenHigh: too few samples bound the statistic from above; CIHigh
	// is then the largest value seen and the SLO cannot pass yet.
	OpenHigh bool `json:"ci_high_open,omitempty"`
	// Batches is the number of batches of the batch-means interval that
	// widened the iid one (0: none used).
	Batches int    `json:"batches,omitempty"`
	Note    string `json:"note,omitempty"`
}

// CapacityForecast is the queueing model's answer to the same question:
// the highest rate at which it predicts every SLO holds, with a band from
// the uncertainty of E[S] and the model's own tolerance.
type CapacityForecast struct {
	RateRPS     float64 `json:"rate_rps"`
	BandLowRPS  float64 `json:"band_low_rps"`
	BandHighRPS float64 `json:"band_high_rps"`
	Model       Model   `json:"model"`
	// Agrees says whether the band meets the measured bracket (absent when
	// there is no bracket to compare with).
	Agrees *bool  `json:"agrees,omitempty"`
	Note   string `json:"note,omitempty"`
}

// OverloadProbe is one probe past the capacity found.
type OverloadProbe struct {
	Multiple float64             `json:"multiple"`
	RateRPS  float64             `json:"rate_rps"`
	Stage    Stage               `json:"stage"`
	Checks   []BackpressureCheck `json:"checks"`
	WarmupS  float64             `json:"warmup_s"`
	StartS   float64             `json:"start_s"`
}

// Backpressure is the verdict of the overload probes: holds (every check
// passed and the excess was turned away), fails (a check failed: DecidedBy
// names the first), unknown (no overload probe ran, or none pushed the
// target past what it serves).
type Backpressure struct {
	Verdict   string              `json:"verdict"`
	Checks    []BackpressureCheck `json:"checks"`
	DecidedBy string              `json:"decided_by,omitempty"`
	Note      string              `json:"note,omitempty"`
}

// BackpressureCheck is one property of a target past its capacity, with
// the figures that decided it.
type BackpressureCheck struct {
	Name   string `json:"name"`
	OK     bool   `json:"ok"`
	Detail string `json:"detail"`
}

// WriteCapacity encodes c as indented JSON.
func WriteCapacity(w io.Writer, c *Capacity) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

// WriteCapacityFile writes c to path via a temporary file and a rename.
func WriteCapacityFile(path string, c *Capacity) error {
	return writeFileWith(path, func(w io.Writer) error { return WriteCapacity(w, c) })
}

// ReadCapacity decodes one capacity document and checks its schema.
func ReadCapacity(rd io.Reader) (*Capacity, error) {
	var c Capacity
	if err := json.NewDecoder(rd).Decode(&c); err != nil {
		return nil, fmt.Errorf("not a bploadgen capacity document: %w", err)
	}
	if c.Schema != CapacitySchema {
		return nil, &SchemaError{Got: c.Schema, Want: CapacitySchema}
	}
	return &c, nil
}
