package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// runPlan is a run's validated plan: everything decided before sending.
type runPlan struct {
	request     profile.RequestSpec
	kind        string
	stages      []profile.Stage
	arrival     schedule.Kind
	seed        int64
	maxInFlight int
	timeout     time.Duration
	asserts     []assert.Expr
	assertText  []string
	shard       schedule.Shard
	startAt     time.Time // zero: start at once
}

// maxBodyBytes bounds --body-file.
const maxBodyBytes = 64 << 20

// shapeFlags maps run's flags to shape parameters.
var shapeFlags = map[string]string{
	"rate": "rate", "duration": "duration", "from": "from", "to": "to", "steps": "steps",
	"step-duration": "step_duration", "spike-rate": "spike_rate", "spike-at": "spike_at", "spike-for": "spike_for",
}

// resolvePlan merges the profile file (if any) with the flags given on the
// command line, which override it. Every error is invalid input.
func resolvePlan(o *runOptions) (*runPlan, error) {
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	prof := &profile.Profile{}
	if o.File != "" {
		p, err := profile.Load(o.File)
		if err != nil {
			return nil, err
		}
		prof = p
	}
	pl := &runPlan{request: prof.Request}

	if err := resolveRequest(o, changed, &pl.request); err != nil {
		return nil, err
	}
	if err := resolveShape(o, changed, prof, pl); err != nil {
		return nil, err
	}

	arrival := prof.Arrival
	if changed("arrival") || arrival == "" {
		arrival = o.Arrival
	}
	k, err := schedule.ParseKind(arrival)
	if err != nil {
		return nil, fmt.Errorf("--arrival: %v", err)
	}
	pl.arrival = k
	pl.seed = o.Seed
	if prof.HasSeed && !changed("seed") {
		pl.seed = prof.Seed
	}
	pl.maxInFlight = o.MaxInFlight
	if prof.MaxInFlight > 0 && !changed("max-in-flight") {
		pl.maxInFlight = prof.MaxInFlight
	}
	if pl.maxInFlight < 1 || pl.maxInFlight > 10_000_000 {
		return nil, fmt.Errorf("--max-in-flight must be between 1 and 10000000")
	}
	pl.timeout = o.Timeout
	if prof.Request.Timeout > 0 && !changed("timeout") {
		pl.timeout = prof.Request.Timeout
	}
	if pl.timeout <= 0 || pl.timeout > time.Hour {
		return nil, fmt.Errorf("--timeout must be > 0 and at most 1h")
	}
	if o.Grace <= 0 {
		return nil, fmt.Errorf("--grace must be > 0")
	}
	if pl.shard, err = parseShard(o.Shard, o.getenv); err != nil {
		return nil, err
	}
	if pl.startAt, err = parseStartAt(o.StartAt); err != nil {
		return nil, err
	}
	if err := resolveAsserts(o, prof, pl); err != nil {
		return nil, err
	}
	return pl, nil
}

func resolveRequest(o *runOptions, changed func(string) bool, r *profile.RequestSpec) error {
	if changed("url") || r.URL == "" {
		r.URL = o.URL
	}
	if r.URL == "" {
		return fmt.Errorf("no target: give a URL (run URL, --url, or target.url in the profile)")
	}
	if err := profile.ValidateURL(r.URL); err != nil {
		return err
	}
	if changed("method") || r.Method == "" {
		r.Method = strings.ToUpper(o.Method)
	}
	if err := profile.ValidateMethod(r.Method); err != nil {
		return fmt.Errorf("--method: %v", err)
	}
	for _, h := range o.Headers {
		hd, err := profile.ParseHeader(h)
		if err != nil {
			return fmt.Errorf("--header: %v", err)
		}
		// A header given as a flag replaces the file's header of that name.
		kept := r.Headers[:0:0]
		for _, x := range r.Headers {
			if x.Name != hd.Name {
				kept = append(kept, x)
			}
		}
		r.Headers = append(kept, hd)
	}
	if changed("body") && changed("body-file") {
		return fmt.Errorf("--body and --body-file: give one or the other")
	}
	if changed("body") {
		r.Body, r.BodyFile = []byte(o.Body), ""
	}
	if changed("body-file") {
		r.Body, r.BodyFile = nil, o.BodyFile
	}
	if r.BodyFile != "" {
		b, err := readBodyFile(r.BodyFile)
		if err != nil {
			return fmt.Errorf("--body-file: %v", err)
		}
		r.Body = b
	}
	return nil
}

func readBodyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxBodyBytes+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxBodyBytes {
		return nil, fmt.Errorf("%s: larger than %d MiB", path, maxBodyBytes>>20)
	}
	return b, nil
}

// resolveShape picks the stages: the file's, or a shape from flags that
// override the file's shape parameters. Explicit stages in the file are
// replaced as a whole by a shape given with flags.
func resolveShape(o *runOptions, changed func(string) bool, prof *profile.Profile, pl *runPlan) error {
	flags := profile.Shape{Set: map[string]bool{}}
	if changed("profile") {
		flags.Kind = o.Profile
		if !profile.IsKind(o.Profile) {
			return fmt.Errorf("--profile must be constant, step, spike or ramp, not %q", o.Profile)
		}
	}
	flags.Rate, flags.Duration, flags.From, flags.To, flags.Steps = o.Rate, o.Duration, o.From, o.To, o.Steps
	flags.StepDuration, flags.SpikeRate, flags.SpikeAt, flags.SpikeFor = o.StepDuration, o.SpikeRate, o.SpikeAt, o.SpikeFor
	for flag, param := range shapeFlags {
		if changed(flag) {
			flags.Set[param] = true
		}
	}
	shapeGiven := flags.Kind != "" || len(flags.Set) > 0
	switch {
	case !shapeGiven && len(prof.Stages) > 0:
		pl.kind, pl.stages = prof.Kind, prof.Stages
		return nil
	case !shapeGiven:
		return fmt.Errorf("no rate plan: give --rate and --duration, another --profile, or a profile file with stages")
	}
	base := profile.Shape{Kind: "constant"}
	if prof.Shape != nil && (flags.Kind == "" || flags.Kind == prof.Shape.Kind) {
		base = *prof.Shape
	}
	sh := base.Override(flags)
	st, err := sh.Stages(profile.FlagName)
	if err != nil {
		return err
	}
	pl.kind, pl.stages = sh.Kind, st
	return nil
}

func resolveAsserts(o *runOptions, prof *profile.Profile, pl *runPlan) error {
	for i, s := range prof.Assert {
		e, err := assert.Parse(s)
		if err != nil {
			line := 0
			if i < len(prof.AssertLines) {
				line = prof.AssertLines[i]
			}
			return &profile.Error{File: o.File, Line: line, Msg: err.Error()}
		}
		pl.asserts = append(pl.asserts, e)
		pl.assertText = append(pl.assertText, s)
	}
	for _, s := range o.Asserts {
		e, err := assert.Parse(s)
		if err != nil {
			return fmt.Errorf("--assert: %v", err)
		}
		pl.asserts = append(pl.asserts, e)
		pl.assertText = append(pl.assertText, s)
	}
	return assert.Validate(pl.asserts, len(pl.stages))
}

// parseShard reads "I/N" (1 <= I <= N <= 10000); "" is the whole plan.
// "auto/N" takes I from the environment's JOB_COMPLETION_INDEX (0-based,
// as a Kubernetes Indexed Job sets it) plus one.
func parseShard(s string, getenv func(string) string) (schedule.Shard, error) {
	if s == "" {
		return schedule.Shard{}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	if strings.TrimSpace(a) == "auto" {
		idx := ""
		if getenv != nil {
			idx = getenv("JOB_COMPLETION_INDEX")
		}
		k, err := strconv.Atoi(strings.TrimSpace(idx))
		if err != nil || k < 0 {
			return schedule.Shard{}, fmt.Errorf("--shard %q: JOB_COMPLETION_INDEX is %q, want a whole number >= 0", s, idx)
		}
		a = strconv.Itoa(k + 1)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(a))
	n, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || n < 1 || n > 10_000 || i < 1 || i > n {
		return schedule.Shard{}, fmt.Errorf("--shard %q: want I/N with 1 <= I <= N, e.g. 2/4", s)
	}
	return schedule.Shard{Index: i, Count: n}, nil
}

// parseStartAt reads an RFC 3339 time or Unix seconds; "" is "now".
func parseStartAt(s string) (time.Time, error) {
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
	return time.Time{}, fmt.Errorf("--start-at %q: want an RFC 3339 time (2026-11-23T10:00:00Z) or Unix seconds", s)
}
