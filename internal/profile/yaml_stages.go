package profile

import (
	"fmt"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

var stageKeys = []string{"name", "rate", "to", "duration"}

func (p *parser) stages(n *yaml.Node) ([]Stage, error) {
	if n.Kind != yaml.SequenceNode || len(n.Content) == 0 {
		return nil, p.errf(n, "stages must be a non-empty list")
	}
	var out []Stage
	var total time.Duration
	for i, c := range n.Content {
		var st Stage
		var rateNode, toNode, durNode *yaml.Node
		err := p.mapping(c, fmt.Sprintf("stage %d", i+1), stageKeys, func(key string, k, v *yaml.Node) error {
			var err error
			switch key {
			case "name":
				st.Name, err = p.str(v, "name")
			case "rate":
				rateNode = k
				st.Rate, err = p.rate(v, "rate")
			case "to":
				toNode = k
				st.To, err = p.rate(v, "to")
			case "duration":
				durNode = k
				st.Duration, err = p.duration(v, "duration")
			}
			return err
		})
		if err != nil {
			return nil, err
		}
		c = resolve(c)
		if rateNode == nil {
			if toNode != nil {
				return nil, p.errf(toNode, "stage %d: to without a rate (a ramp needs rate: FROM, to: TO)", i+1)
			}
			return nil, p.errf(c, "stage %d: rate is required", i+1)
		}
		if durNode == nil {
			return nil, p.errf(c, "stage %d: duration is required", i+1)
		}
		if toNode == nil {
			st.To = st.Rate
		}
		if st.Name == "" {
			if st.To == st.Rate {
				st.Name = fmt.Sprintf("stage %d @ %s rps", i+1, rateName(st.Rate))
			} else {
				st.Name = fmt.Sprintf("stage %d %s→%s rps", i+1, rateName(st.Rate), rateName(st.To))
			}
		}
		total += st.Duration
		if total > MaxDuration {
			return nil, p.errf(durNode, "the stages last more than the maximum %s", MaxDuration)
		}
		out = append(out, st)
	}
	return out, nil
}

// shape reads `profile: {kind: step, ...}` into a Shape and its stages.
func (p *parser) shape(n *yaml.Node) (*Shape, []Stage, error) {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil, nil, p.errf(n, "profile must be a mapping with a kind")
	}
	sh := &Shape{Set: map[string]bool{}}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := resolve(n.Content[i]); k != nil && k.Value == "kind" {
			v := resolve(n.Content[i+1])
			s, err := p.str(v, "kind")
			if err != nil {
				return nil, nil, err
			}
			if !IsKind(s) {
				return nil, nil, p.errf(v, "profile kind must be constant, step, spike or ramp, not %q", s)
			}
			sh.Kind = s
		}
	}
	if sh.Kind == "" {
		return nil, nil, p.errf(n, "profile needs a kind (constant, step, spike or ramp)")
	}
	keys := append([]string{"kind"}, shapeParams[sh.Kind]...)
	err := p.mapping(n, "profile ("+sh.Kind+")", keys, func(key string, k, v *yaml.Node) error {
		var err error
		switch key {
		case "kind":
			return nil
		case "rate":
			sh.Rate, err = p.rate(v, key)
		case "from":
			sh.From, err = p.rate(v, key)
		case "to":
			sh.To, err = p.rate(v, key)
		case "spike_rate":
			sh.SpikeRate, err = p.rate(v, key)
		case "steps":
			var n int64
			n, err = p.integer(v, key, 1, 10_000)
			sh.Steps = int(n)
		case "duration":
			sh.Duration, err = p.duration(v, key)
		case "step_duration":
			sh.StepDuration, err = p.duration(v, key)
		case "spike_for":
			sh.SpikeFor, err = p.duration(v, key)
		case "spike_at":
			sh.SpikeAt, err = p.durationOrZero(v, key)
		}
		sh.Set[key] = true
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	st, err := sh.Stages(KeyName)
	if err != nil {
		return nil, nil, p.errf(n, "profile (%s): %v", sh.Kind, err)
	}
	return sh, st, nil
}
