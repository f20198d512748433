package profile

import (
	"math"
	"strconv"
	"strings"
	"time"

	yaml "go.yaml.in/yaml/v3"
)

func (p *parser) headers(n *yaml.Node, r *RequestSpec) error {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return p.errf(n, "headers must be a mapping of name: value")
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if k == nil || k.Kind != yaml.ScalarNode {
			return p.errf(n.Content[i], "headers: names must be plain strings")
		}
		val, err := p.str(v, "header "+k.Value)
		if err != nil {
			return err
		}
		h, err := checkHeader(k.Value, val)
		if err != nil {
			return p.errf(k, "%v", err)
		}
		r.Headers = append(r.Headers, h)
	}
	return nil
}

// str reads a scalar as a string (numbers are accepted as their text).
func (p *parser) str(n *yaml.Node, what string) (string, error) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return "", p.errf(n, "%s must be a string", what)
	}
	return n.Value, nil
}

func (p *parser) strings(n *yaml.Node, what string) ([]string, error) {
	if n.Kind != yaml.SequenceNode {
		return nil, p.errf(n, "%s must be a list", what)
	}
	var out []string
	for _, c := range n.Content {
		s, err := p.str(resolve(c), what+" entry")
		if err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(s))
	}
	return out, nil
}

// number reads a finite float.
func (p *parser) number(n *yaml.Node, what string) (float64, error) {
	if n == nil || n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!float") {
		return 0, p.errf(n, "%s must be a number", what)
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(n.Value, "_", ""), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, p.errf(n, "%s must be a finite number", what)
	}
	return v, nil
}

// rate reads a request rate (> 0).
func (p *parser) rate(n *yaml.Node, what string) (float64, error) {
	v, err := p.number(n, what)
	if err != nil {
		return 0, err
	}
	if err := checkRate(what, v); err != nil {
		return 0, p.errf(n, "%v", err)
	}
	return v, nil
}

// integer reads an integer in [min, max].
func (p *parser) integer(n *yaml.Node, what string, min, max int64) (int64, error) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag != "!!int" {
		return 0, p.errf(n, "%s must be a whole number", what)
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 0, 64)
	if err != nil {
		return 0, p.errf(n, "%s must be a whole number", what)
	}
	if v < min || v > max {
		return 0, p.errf(n, "%s must be between %d and %d", what, min, max)
	}
	return v, nil
}

// duration reads a positive Go duration ("10s", "1m30s").
func (p *parser) duration(n *yaml.Node, what string) (time.Duration, error) {
	d, err := p.durationOrZero(n, what)
	if err != nil {
		return 0, err
	}
	if err := checkDuration(what, d); err != nil {
		return 0, p.errf(n, "%v", err)
	}
	return d, nil
}

// durationOrZero reads a duration >= 0.
func (p *parser) durationOrZero(n *yaml.Node, what string) (time.Duration, error) {
	if n == nil || n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		return 0, p.errf(n, "%s must be a duration like 10s", what)
	}
	if n.Tag == "!!int" && n.Value == "0" {
		return 0, nil
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		return 0, p.errf(n, "%s must be a duration like 10s, not %q", what, n.Value)
	}
	if d < 0 {
		return 0, p.errf(n, "%s must not be negative", what)
	}
	return d, nil
}
