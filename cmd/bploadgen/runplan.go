package main

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/run"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// shapeFlags are run's flags that give shape parameters.
var shapeFlags = []string{"rate", "duration", "from", "to", "steps", "step-duration", "spike-rate", "spike-at", "spike-for"}

// flagName renders a setting (a profile key, "step_duration") as its flag
// ("--step-duration"): the words run.Resolve's errors use on the command line.
func flagName(setting string) string { return "--" + strings.ReplaceAll(setting, "_", "-") }

// plan loads the profile file (if any) and resolves it with the flags
// given on the command line, which override it. Every error is invalid
// input (exit 2).
func (o *runOptions) plan() (*run.Plan, error) {
	changed := o.changed
	if changed == nil {
		changed = func(string) bool { return false }
	}
	var prof *profile.Profile
	if o.File != "" {
		p, err := profile.Load(o.File)
		if err != nil {
			return nil, asUsage(err)
		}
		prof = p
	}
	if o.Grace <= 0 {
		return nil, usageError("--grace must be > 0")
	}
	shard, err := parseShard(o.Shard, o.getenv)
	if err != nil {
		return nil, asUsage(err)
	}
	startAt, err := parseStartAt(o.StartAt)
	if err != nil {
		return nil, asUsage(err)
	}
	shape := profile.Shape{Set: map[string]bool{}, Rate: o.Rate, Duration: o.Duration, From: o.From, To: o.To,
		Steps: o.Steps, StepDuration: o.StepDuration, SpikeRate: o.SpikeRate, SpikeAt: o.SpikeAt, SpikeFor: o.SpikeFor}
	if changed("profile") {
		shape.Kind = o.Profile
	}
	for _, f := range shapeFlags {
		if changed(f) {
			shape.Set[strings.ReplaceAll(f, "-", "_")] = true
		}
	}
	pl, err := run.Resolve(prof, run.Overrides{
		URL: o.URL, Method: o.Method, Headers: o.Headers, Body: o.Body, BodyFile: o.BodyFile, Shape: shape,
		Arrival: o.Arrival, Seed: o.Seed, MaxInFlight: o.MaxInFlight, Timeout: o.Timeout, Asserts: o.Asserts,
		Shard: shard, StartAt: startAt,
		Given: func(s string) bool { return changed(strings.ReplaceAll(s, "_", "-")) },
		Name:  flagName,
	})
	switch {
	case errors.Is(err, run.ErrNoTarget):
		return nil, usageError("no target: give a URL (run URL, --url, or target.url in the profile)")
	case errors.Is(err, run.ErrNoStages):
		return nil, usageError("no rate plan: give --rate and --duration, another --profile, or a profile file with stages")
	}
	return pl, err
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
	if !ok || err1 != nil || err2 != nil || n < 1 || n > run.MaxShards || i < 1 || i > n {
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
