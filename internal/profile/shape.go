package profile

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Shape is a generated rate shape (constant, step, spike, ramp) by its
// parameters, as given in a profile's `profile:` mapping or by flags. Set
// records which parameters were given, by their YAML names (rate, from,
// to, steps, step_duration, spike_rate, spike_at, spike_for, duration).
type Shape struct {
	Kind                      string
	Rate, From, To, SpikeRate float64
	Steps                     int
	Duration, StepDuration    time.Duration
	SpikeAt, SpikeFor         time.Duration
	Set                       map[string]bool
}

// ShapeKeys are a shape's parameters, by their YAML names.
var ShapeKeys = []string{"rate", "duration", "from", "to", "steps", "step_duration", "spike_rate", "spike_at", "spike_for"}

// Kinds lists the shape kinds.
var Kinds = []string{"constant", "step", "spike", "ramp"}

var shapeParams = map[string][]string{
	"constant": {"rate", "duration"},
	"step":     {"from", "to", "steps", "step_duration"},
	"spike":    {"rate", "spike_rate", "spike_at", "spike_for", "duration"},
	"ramp":     {"from", "to", "duration", "steps"},
}

var shapeRequired = map[string][]string{
	"constant": {"rate", "duration"},
	"step":     {"from", "to", "steps", "step_duration"},
	"spike":    {"rate", "spike_rate", "spike_at", "spike_for", "duration"},
	"ramp":     {"from", "to", "duration"},
}

// IsKind reports whether k names a shape.
func IsKind(k string) bool { _, ok := shapeParams[k]; return ok }

// Override returns s with the parameters set in o replacing its own; the
// kind is o's when o has one.
func (s Shape) Override(o Shape) Shape {
	out := s
	if o.Kind != "" {
		out.Kind = o.Kind
	}
	out.Set = map[string]bool{}
	for k := range s.Set {
		out.Set[k] = true
	}
	for k := range o.Set {
		out.Set[k] = true
		switch k {
		case "rate":
			out.Rate = o.Rate
		case "from":
			out.From = o.From
		case "to":
			out.To = o.To
		case "spike_rate":
			out.SpikeRate = o.SpikeRate
		case "steps":
			out.Steps = o.Steps
		case "duration":
			out.Duration = o.Duration
		case "step_duration":
			out.StepDuration = o.StepDuration
		case "spike_at":
			out.SpikeAt = o.SpikeAt
		case "spike_for":
			out.SpikeFor = o.SpikeFor
		}
	}
	return out
}

// Stages builds the stages. name renders a parameter's name in errors:
// kindsTaking are the shapes, in Kinds order, that take every one of
// the parameters (rendered by name): where the user meant them to go.
func kindsTaking(rendered []string, name func(string) string) []string {
	var out []string
	for _, k := range Kinds {
		all := true
		for _, r := range rendered {
			if !slices.ContainsFunc(shapeParams[k], func(p string) bool { return name(p) == r }) {
				all = false
			}
		}
		if all {
			out = append(out, k)
		}
	}
	return out
}

// KeyName ("step_duration") for a file; a command line passes its flags'
// names ("--step-duration").
func (s Shape) Stages(name func(param string) string) ([]Stage, error) {
	if !IsKind(s.Kind) {
		return nil, fmt.Errorf("unknown rate shape %q (want %s)", s.Kind, strings.Join(Kinds, ", "))
	}
	var foreign []string
	for k := range s.Set {
		if !contains(shapeParams[s.Kind], k) {
			foreign = append(foreign, name(k))
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		verb, them := "does", "it"
		if len(foreign) > 1 {
			verb, them = "do", "them"
		}
		hint := ""
		if kinds := kindsTaking(foreign, name); len(kinds) > 0 {
			how := "kind: " + strings.Join(kinds, " or ") // a file's words
			if f := name("profile"); strings.HasPrefix(f, "--") {
				how = f + " " + strings.Join(kinds, " or ")
			}
			hint = fmt.Sprintf("; a %s shape takes %s: %s", strings.Join(kinds, " or "), them, how)
		}
		return nil, fmt.Errorf("%s %s not apply to a %s shape (it takes %s%s)", strings.Join(foreign, ", "), verb, s.Kind, names(shapeParams[s.Kind], name), hint)
	}
	var missing []string
	for _, k := range shapeRequired[s.Kind] {
		if !s.Set[k] {
			missing = append(missing, name(k))
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("a %s shape needs %s", s.Kind, strings.Join(missing, ", "))
	}
	switch s.Kind {
	case "constant":
		return constant(s.Rate, s.Duration, name)
	case "step":
		return step(s.From, s.To, s.Steps, s.StepDuration, name)
	case "spike":
		return spikeShape(s.Rate, s.SpikeRate, s.SpikeAt, s.SpikeFor, s.Duration, name)
	}
	return ramp(s.From, s.To, s.Duration, s.Steps, name)
}

func names(params []string, name func(string) string) string {
	out := make([]string, len(params))
	for i, p := range params {
		out[i] = name(p)
	}
	return strings.Join(out, ", ")
}

// KeyName renders a shape parameter as its YAML key.
func KeyName(param string) string { return param }
