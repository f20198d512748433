package run

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Overrides are settings given on top of a profile (the command line's
// flags): a setting that is given replaces the profile's, and a setting
// the profile lacks is taken from here, else from the defaults. Settings
// are named by their profile keys: url, method, body, body_file, arrival,
// seed, max_in_flight, timeout (and header, assert, profile in errors),
// and retry_on … retry_budget for the keys of `retry:` (RetrySettings).
type Overrides struct {
	URL      string
	Method   string
	Headers  []string // "Name: value", each replacing the profile's header of that name
	Body     string
	BodyFile string // read by Resolve, at most MaxBodyBytes
	// Shape is a rate shape; its Kind (when not "") and the parameters in
	// its Set replace the profile's shape parameters, and any of them
	// replaces the profile's explicit stages as a whole. A nil Set, with
	// Given, is the parameters Given reports (profile.ShapeKeys).
	Shape       profile.Shape
	Arrival     string // "uniform" or "poisson"
	Seed        int64
	MaxInFlight int
	Timeout     time.Duration
	Asserts     []string // added after the profile's
	// Retry overrides the profile's `retry:` keys (settings retry_on …
	// retry_budget, RetrySettings).
	Retry RetryOverrides
	// Targets is a vegeta targets file (the request set, mix.ParseTargets);
	// Replay a request log replayed at its times (JSON lines, or the
	// combined access-log format when ReplayFormat is "combined"), scaled
	// by ReplaySpeed (0: 1) in stages of ReplayStage (0: 10s); "" for none.
	// Settings targets, replay, replay_speed, replay_stage, replay_format.
	Targets, Replay, ReplayFormat string
	ReplaySpeed                   float64
	ReplayStage                   time.Duration
	// Shard is "I/N", the I-th of N disjoint parts of the plan, or
	// "auto/N", I from the environment's JOB_COMPLETION_INDEX + 1 (a
	// Kubernetes Indexed Job); "" runs the whole plan.
	Shard string
	// StartAt is a wall-clock start, RFC 3339 or Unix seconds; "" is now.
	StartAt string
	// Getenv reads the environment (for "auto/N"); nil: os.Getenv.
	Getenv func(string) string

	// Given reports whether a setting was given. nil: a setting is given
	// when its value is not the zero value.
	Given func(setting string) bool
	// Name renders a setting's name in errors ("--max-in-flight" for a
	// command line). nil: the profile key ("max_in_flight").
	Name func(setting string) string
}

func (o *Overrides) given(s string) bool {
	if o.Given != nil {
		return o.Given(s)
	}
	switch s {
	case "url":
		return o.URL != ""
	case "method":
		return o.Method != ""
	case "body":
		return o.Body != ""
	case "body_file":
		return o.BodyFile != ""
	case "arrival":
		return o.Arrival != ""
	case "seed":
		return o.Seed != 0
	case "max_in_flight":
		return o.MaxInFlight != 0
	case "timeout":
		return o.Timeout != 0
	}
	return o.Retry.given(s)
}

func (o *Overrides) name(s string) string {
	if o.Name != nil {
		return o.Name(s)
	}
	return keyName(s)
}

// Resolve merges a profile (nil: none) with the overrides into a validated
// plan. Errors are *InputError; a profile's gate that does not parse is a
// *profile.Error naming its file and line.
func Resolve(prof *profile.Profile, o Overrides) (*Plan, error) {
	pl, err := resolve(prof, &o)
	return pl, invalid(err)
}

func resolve(prof *profile.Profile, o *Overrides) (*Plan, error) {
	if prof == nil {
		prof = &profile.Profile{}
	}
	pl := &Plan{Request: prof.Request}
	if err := o.request(&pl.Request); err != nil {
		return nil, err
	}
	if o.replaying() { // the replay gives the stages (requests, below)
		if o.shapeGiven() {
			return nil, fmt.Errorf("%s gives the arrivals: give no rate plan with it", o.name("replay"))
		}
	} else if err := o.shape(prof, pl); err != nil {
		return nil, err
	}
	arrival := prof.Arrival
	if o.given("arrival") || arrival == "" {
		arrival = o.Arrival
	}
	pl.Arrival = DefaultArrival
	if arrival != "" {
		k, err := schedule.ParseKind(arrival)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", o.name("arrival"), err)
		}
		pl.Arrival = k
	}
	pl.Seed = pick(o.given("seed"), o.Seed, prof.HasSeed, prof.Seed, DefaultSeed)
	pl.MaxInFlight = pick(o.given("max_in_flight"), o.MaxInFlight, prof.MaxInFlight > 0, prof.MaxInFlight, DefaultMaxInFlight)
	pl.Timeout = pick(o.given("timeout"), o.Timeout, prof.Request.Timeout > 0, prof.Request.Timeout, DefaultTimeout)
	if err := pl.checkLimits(o.name); err != nil {
		return nil, err
	}
	if err := o.requests(prof, pl); err != nil { // mix.go
		return nil, err
	}
	var err error
	if pl.Retry, err = o.retry(prof); err != nil {
		return nil, err
	}
	if pl.Shard, err = o.shard(); err != nil {
		return nil, err
	}
	if pl.StartAt, err = o.startAt(); err != nil {
		return nil, err
	}
	if err := o.asserts(prof, pl); err != nil {
		return nil, err
	}
	return pl, nil
}

// pick is the override when given, else the profile's value when it has
// one, else the default.
func pick[T any](given bool, over T, inProfile bool, prof, def T) T {
	switch {
	case given:
		return over
	case inProfile:
		return prof
	}
	return def
}

// request applies the request overrides to r and reads the body file.
func (o *Overrides) request(r *profile.RequestSpec) error {
	if o.given("url") || r.URL == "" {
		r.URL = o.URL
	}
	if r.URL == "" && o.Targets != "" {
		origin, err := o.targetsOrigin()
		if err != nil {
			return err
		}
		r.URL = origin
	}
	if r.URL == "" {
		return ErrNoTarget
	}
	if err := profile.ValidateURL(r.URL); err != nil {
		return err
	}
	if o.given("method") || r.Method == "" {
		r.Method = strings.ToUpper(o.Method)
	}
	if r.Method == "" {
		r.Method = DefaultMethod
	}
	if err := profile.ValidateMethod(r.Method); err != nil {
		return fmt.Errorf("%s: %v", o.name("method"), err)
	}
	for _, h := range o.Headers {
		hd, err := profile.ParseHeader(h)
		if err != nil {
			return fmt.Errorf("%s: %v", o.name("header"), err)
		}
		kept := r.Headers[:0:0]
		for _, x := range r.Headers {
			if x.Name != hd.Name {
				kept = append(kept, x)
			}
		}
		r.Headers = append(kept, hd)
	}
	body, file := o.given("body"), o.given("body_file")
	switch {
	case body && file:
		return fmt.Errorf("%s and %s: give one or the other", o.name("body"), o.name("body_file"))
	case body:
		r.Body, r.BodyFile = []byte(o.Body), ""
	case file:
		r.Body, r.BodyFile = nil, o.BodyFile
	}
	if r.BodyFile != "" {
		b, err := profile.ReadBodyFile(r.BodyFile)
		if err != nil {
			return fmt.Errorf("%s: %v", o.name("body_file"), err)
		}
		r.Body = b
	}
	return nil
}

// shape picks the stages: the profile's, or the overriding shape applied
// over the profile's shape parameters.
func (o *Overrides) shape(prof *profile.Profile, pl *Plan) error {
	over := o.Shape
	if over.Set == nil && o.Given != nil {
		over.Set = map[string]bool{}
		for _, k := range profile.ShapeKeys {
			if o.Given(k) {
				over.Set[k] = true
			}
		}
	}
	if over.Kind != "" && !profile.IsKind(over.Kind) {
		return fmt.Errorf("%s must be %s, not %q", o.name("profile"), kindList(), over.Kind)
	}
	switch given := over.Kind != "" || len(over.Set) > 0; {
	case !given && len(prof.Stages) > 0:
		pl.Kind, pl.Stages = prof.Kind, prof.Stages
		return nil
	case !given:
		return ErrNoStages
	}
	base := profile.Shape{Kind: "constant"}
	if prof.Shape != nil && (over.Kind == "" || over.Kind == prof.Shape.Kind) {
		base = *prof.Shape
	}
	sh := base.Override(over)
	st, err := sh.Stages(o.name)
	if err != nil {
		return err
	}
	pl.Kind, pl.Stages = sh.Kind, st
	return nil
}

// kindList is "constant, step, spike or ramp".
func kindList() string {
	k := profile.Kinds
	return strings.Join(k[:len(k)-1], ", ") + " or " + k[len(k)-1]
}

// asserts parses the profile's gates, then the overrides', and checks them
// against the stages.
func (o *Overrides) asserts(prof *profile.Profile, pl *Plan) error {
	for i, s := range prof.Assert {
		e, err := assert.Parse(s)
		if err != nil {
			line := 0
			if i < len(prof.AssertLines) {
				line = prof.AssertLines[i]
			}
			return &profile.Error{File: prof.File, Line: line, Msg: err.Error()}
		}
		pl.Asserts = append(pl.Asserts, e)
	}
	for _, s := range o.Asserts {
		e, err := assert.Parse(s)
		if err != nil {
			return fmt.Errorf("%s: %v", o.name("assert"), err)
		}
		pl.Asserts = append(pl.Asserts, e)
	}
	if err := assert.Validate(pl.Asserts, stageNames(pl.Stages)); err != nil {
		return err
	}
	return assert.ValidateRequests(pl.Asserts, pl.requestNames())
}

// shard reads Overrides.Shard: "I/N" with 1 <= I <= N <= MaxShards, or
// "auto/N".
func (o *Overrides) shard() (schedule.Shard, error) {
	s := o.Shard
	if s == "" {
		return schedule.Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	if strings.TrimSpace(a) == "auto" {
		getenv := o.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		idx := getenv("JOB_COMPLETION_INDEX")
		k, err := strconv.Atoi(strings.TrimSpace(idx))
		if err != nil || k < 0 {
			return schedule.Shard{}, fmt.Errorf("%s %q: JOB_COMPLETION_INDEX is %q, want a whole number >= 0", o.name("shard"), s, idx)
		}
		a = strconv.Itoa(k + 1)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || n > MaxShards || i < 1 || i > n {
		return schedule.Shard{}, fmt.Errorf("%s %q: want I/N with 1 <= I <= N, e.g. 2/4", o.name("shard"), s)
	}
	return schedule.Shard{Index: i, Count: n}, nil
}

// startAt reads Overrides.StartAt: an RFC 3339 time or Unix seconds.
func (o *Overrides) startAt() (time.Time, error) {
	s := o.StartAt
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f > 0 && f < 1e11 {
		sec := math.Floor(f)
		return time.Unix(int64(sec), int64((f-sec)*1e9)), nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want an RFC 3339 time (2026-11-23T10:00:00Z) or Unix seconds", o.name("start_at"), s)
}
