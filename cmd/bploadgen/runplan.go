package main

import (
	"errors"
	"strings"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/run"
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
	ov := o.Overrides
	ov.Shape.Kind, ov.Shape.Set = "", map[string]bool{}
	if changed("profile") {
		ov.Shape.Kind = o.Profile
	}
	for _, f := range shapeFlags {
		if changed(f) {
			ov.Shape.Set[strings.ReplaceAll(f, "-", "_")] = true
		}
	}
	ov.Given = func(s string) bool { return changed(strings.ReplaceAll(s, "_", "-")) }
	ov.Name = flagName
	pl, err := run.Resolve(prof, ov)
	switch {
	case errors.Is(err, run.ErrNoTarget):
		return nil, usageError("no target: give a URL (run URL, --url, or target.url in the profile)")
	case errors.Is(err, run.ErrNoStages):
		return nil, usageError("no rate plan: give --rate and --duration, another --profile, or a profile file with stages")
	}
	return pl, err
}
