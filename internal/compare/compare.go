package compare

import (
	"errors"
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Verdict is what a row's difference means.
type Verdict string

// The verdicts.
const (
	Regression  Verdict = "regression"
	Improvement Verdict = "improvement"
	NoChange    Verdict = "no significant change"
	NoData      Verdict = "no data"
	NotJudged   Verdict = "not judged" // max: one sample, no noise estimate
)

// Options tune a comparison. The zero value means the defaults.
type Options struct {
	// TimeBand is the smallest relative change of a time metric that can be
	// significant, whatever its sampling error (default 5%).
	TimeBand float64
	// RateBand is the same for rps (default 1%).
	RateBand float64
	// Diffs are the difference assertions to evaluate.
	Diffs []Diff
}

// Default bands (see the package doc for why).
const (
	DefaultTimeBand = 0.05
	DefaultRateBand = 0.01
)

// Report is the comparison of two results.
type Report struct {
	Base Input `json:"base"`
	New  Input `json:"new"`
	// TimeBand and RateBand are the relative bands the verdicts used.
	TimeBand float64 `json:"time_band"`
	RateBand float64 `json:"rate_band"`
	// Sections are the stages by index, then the whole run.
	Sections []Section `json:"sections"`
	// Requests are the request names both results break their traffic
	// down by (by_request), each compared over the whole run; shown, not
	// part of Verdict.
	Requests []Section `json:"requests,omitempty"`
	Checks   []Check   `json:"checks,omitempty"`
	Warnings []string  `json:"warnings,omitempty"`
	// Verdict is Regression if any row of Sections regressed, else
	// Improvement if any improved, else NoChange.
	Verdict Verdict `json:"verdict"`
}

// Input describes one compared result.
type Input struct {
	Name      string    `json:"name,omitempty"` // set by the caller (a file name)
	StartedAt time.Time `json:"started_at"`
	Version   string    `json:"version"`
	URL       string    `json:"url"`
	Profile   string    `json:"profile"`
	Stages    int       `json:"stages"`
	Arrival   string    `json:"arrival"`
	Scheduled int64     `json:"scheduled"`
	Shard     string    `json:"shard,omitempty"`
}

// Section is the table of one stage (Stage ≥ 1) or of the whole run (0).
type Section struct {
	Name  string `json:"scope"`           // "stage 2" or "run"
	Stage int    `json:"stage,omitempty"` // 1-based, 0 for the run
	Label string `json:"label,omitempty"` // the base's stage name
	// Request is the request name of a Report.Requests section.
	Request string `json:"request,omitempty"`
	Rows    []Row  `json:"rows"`
}

// Row is one metric of one scope.
type Row struct {
	Metric string `json:"metric"`
	Kind   string `json:"kind"` // "time" (seconds), "ratio" (a fraction), "rate" (per second)
	// Base and New are nil when the result has no data for the metric.
	Base *float64 `json:"base"`
	New  *float64 `json:"new"`
	// Delta is New − Base; Rel is Delta/Base (nil when Base is 0).
	Delta *float64 `json:"delta,omitempty"`
	Rel   *float64 `json:"rel,omitempty"`
	// Noise is the |Delta| (in the metric's unit) that the difference had
	// to exceed to be significant.
	Noise   float64 `json:"noise"`
	Verdict Verdict `json:"verdict"`
	// HigherIsBetter says which way is an improvement.
	HigherIsBetter bool `json:"higher_is_better,omitempty"`
	// Note says why a row that is usually judged was not (MixNote).
	Note string `json:"note,omitempty"`
}

// Compare compares next with base with the default options.
func Compare(base, next *result.Result) (*Report, error) {
	return Options{}.Compare(base, next)
}

// Compare compares next with base: per-stage rows of the key metrics with
// verdicts, and the difference assertions of o. Results of different plans
// are compared stage by stage (by index) with a warning when they have the
// same number of stages, and by the whole run only otherwise; a Diff with a
// stage scope is then an error (ValidateDiffs, checked first).
func (o Options) Compare(base, next *result.Result) (*Report, error) {
	if base == nil || next == nil {
		return nil, errors.New("compare: missing result")
	}
	if err := ValidateDiffs(o.Diffs, base, next); err != nil {
		return nil, err
	}
	o = o.withDefaults()
	rep := &Report{Base: describe(base), New: describe(next), TimeBand: o.TimeBand, RateBand: o.RateBand}
	rep.Warnings = planWarnings(base, next)
	sameStages := len(base.Stages) == len(next.Stages)
	if sameStages {
		for k := range base.Stages {
			sc, err := o.section(fmt.Sprintf("stage %d", k+1), k+1, side(base, k), side(next, k))
			if err != nil {
				return nil, err
			}
			sc.Label = base.Stages[k].Name
			rep.Sections = append(rep.Sections, sc)
		}
	}
	run, err := o.section("run", 0, side(base, -1), side(next, -1))
	if err != nil {
		return nil, err
	}
	rep.Sections = append(rep.Sections, run)
	rep.Verdict = overall(rep.Sections)
	if rep.Requests, err = o.requestSections(base, next); err != nil {
		return nil, err
	}
	if rep.Checks, err = evaluate(o.Diffs, base, next); err != nil {
		return nil, err
	}
	return rep, nil
}

func (o Options) withDefaults() Options {
	if o.TimeBand <= 0 {
		o.TimeBand = DefaultTimeBand
	}
	if o.RateBand <= 0 {
		o.RateBand = DefaultRateBand
	}
	return o
}

// AllPass reports whether every check passed (true for none).
func (r *Report) AllPass() bool {
	for _, c := range r.Checks {
		if !c.Pass {
			return false
		}
	}
	return true
}

func describe(r *result.Result) Input {
	in := Input{StartedAt: r.StartedAt, Version: r.Tool.Version, URL: r.Target.URL, Profile: r.Plan.Profile,
		Stages: len(r.Stages), Arrival: r.Arrival, Scheduled: r.Total.Scheduled}
	if r.Shard != nil {
		in.Shard = fmt.Sprintf("%d/%d", r.Shard.Index, r.Shard.Count)
	}
	return in
}

// planWarnings says what differs between the two runs' setups.
func planWarnings(base, next *result.Result) []string {
	var ws []string
	switch {
	case len(base.Stages) != len(next.Stages):
		ws = append(ws, fmt.Sprintf("the runs have %d and %d stages: only the whole runs are compared", len(base.Stages), len(next.Stages)))
	case !samePlan(base.Plan, next.Plan) || base.DurationS != next.DurationS:
		ws = append(ws, "the runs' plans differ: stages are compared by index")
	}
	if base.Target.URL != next.Target.URL || base.Target.Method != next.Target.Method {
		ws = append(ws, fmt.Sprintf("the runs have different targets: %s %s and %s %s",
			base.Target.Method, base.Target.URL, next.Target.Method, next.Target.URL))
	}
	if base.Arrival != next.Arrival {
		ws = append(ws, fmt.Sprintf("the runs have different arrivals (%s and %s): queueing differs even at the same rate", base.Arrival, next.Arrival))
	}
	if base.Client != next.Client || base.Protocol != next.Protocol {
		ws = append(ws, fmt.Sprintf("the runs were sent differently (%s and %s): part of a latency difference can be the client's or the protocol's",
			clientOf(base), clientOf(next)))
	}
	switch b, n := base.RetryPolicy, next.RetryPolicy; {
	case (b == nil) != (n == nil):
		ws = append(ws, "one run's clients retried and the other's did not: with retries a stage counts logical requests (final outcomes, latencies across the waits between attempts)")
	case b != nil && *b != *n:
		ws = append(ws, "the runs' clients retried under different policies: their logical requests' outcomes and latencies differ by policy")
	}
	for _, x := range []struct {
		name string
		r    *result.Result
	}{{"base", base}, {"new", next}} {
		if x.r.Shard != nil {
			ws = append(ws, fmt.Sprintf("%s is shard %d/%d, one part of a split run: merge the shards first", x.name, x.r.Shard.Index, x.r.Shard.Count))
		}
		if x.r.Interrupted {
			ws = append(ws, x.name+" was interrupted: its last stages are partial")
		}
		if g := x.r.GeneratorLimit(); g != "" {
			ws = append(ws, x.name+": "+g)
		}
	}
	return ws
}

// clientOf names how a run's requests were sent: "loop over HTTP/1.1".
func clientOf(r *result.Result) string {
	switch {
	case r.Client == "" && r.Protocol == "":
		return "unrecorded"
	case r.Protocol == "":
		return r.Client
	case r.Client == "":
		return r.Protocol
	}
	return r.Client + " over " + r.Protocol
}

func samePlan(a, b result.Plan) bool {
	if a.Profile != b.Profile || len(a.Stages) != len(b.Stages) {
		return false
	}
	for k := range a.Stages {
		if a.Stages[k] != b.Stages[k] {
			return false
		}
	}
	return true
}

// overall is the report's verdict from its rows.
func overall(sections []Section) Verdict {
	v := NoChange
	for _, sc := range sections {
		for _, r := range sc.Rows {
			switch r.Verdict {
			case Regression:
				return Regression
			case Improvement:
				v = Improvement
			}
		}
	}
	return v
}
