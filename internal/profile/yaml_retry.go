package profile

import (
	"strings"

	"github.com/bploadgen/bploadgen/internal/retry"
	yaml "go.yaml.in/yaml/v3"
)

// Retry is the profile's `retry:` section (client retries, issue #17): the
// keys it gives over retry.Default(). Each key is the flag of the same name
// without its --retry- prefix (on ↔ --retry-on, after_max ↔
// --retry-after-max); RetryKeys lists them.
type Retry struct {
	// Policy is retry.Default() with the keys given applied. It is not
	// checked as a whole here: flags may still complete it (run.Resolve
	// checks the merged policy).
	Policy retry.Policy
	// Lines maps each key given to its file line; Line is the line of
	// the `retry:` key itself.
	Lines map[string]int
	Line  int
}

// RetryKeys are the keys of `retry:`, in the order docs/profile.md lists
// them.
var RetryKeys = []string{"on", "max", "backoff", "after", "after_max", "budget"}

// MaxRetries bounds `max` (and --retry-max): retries after the first
// attempt.
const MaxRetries = 100

func (p *parser) retry(k, n *yaml.Node) (*Retry, error) {
	r := &Retry{Policy: retry.Default(), Lines: map[string]int{}, Line: k.Line}
	err := p.mapping(n, "retry", RetryKeys, func(key string, kk, v *yaml.Node) error {
		r.Lines[key] = kk.Line
		what := "retry: " + key
		switch key {
		case "on":
			list, err := p.retryList(v, what)
			if err != nil {
				return err
			}
			set, err := retry.ParseSet(list)
			if err != nil {
				return p.errf(v, "%s: %v", what, err)
			}
			r.Policy.On = set
		case "max":
			m, err := p.integer(v, what, 0, MaxRetries)
			if err != nil {
				return err
			}
			r.Policy.Max = int(m)
		case "backoff":
			s, err := p.str(v, what)
			if err != nil {
				return err
			}
			lo, hi, err := retry.ParseBackoff(s)
			if err != nil {
				return p.errf(v, "%s: %v", what, err)
			}
			r.Policy.BackoffMin, r.Policy.BackoffMax = lo, hi
		case "after":
			s, err := p.str(v, what)
			if err != nil {
				return err
			}
			h, err := retry.ParseHonor(s)
			if err != nil {
				return p.errf(v, "%s: %v", what, err)
			}
			r.Policy.HonorRetryAfter = h
		case "after_max":
			d, err := p.durationOrZero(v, what)
			if err != nil {
				return err
			}
			if err := checkDuration(what, d); err != nil && d != 0 {
				return p.errf(v, "%v", err)
			}
			r.Policy.RetryAfterMax = d
		case "budget":
			s, err := p.str(v, what)
			if err != nil {
				return err
			}
			b, err := retry.ParseBudget(s)
			if err != nil {
				return p.errf(v, "%s: %v", what, err)
			}
			r.Policy.BudgetPercent = b
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// retryList reads `on`: a scalar ("503,5xx", 503) or a list of them,
// joined with commas for retry.ParseSet.
func (p *parser) retryList(n *yaml.Node, what string) (string, error) {
	if n.Kind != yaml.SequenceNode {
		return p.str(n, what)
	}
	if len(n.Content) == 0 {
		return "", p.errf(n, "%s: empty list: want %s", what, retry.Forms)
	}
	parts := make([]string, 0, len(n.Content))
	for _, c := range n.Content {
		s, err := p.str(resolve(c), what+" entry")
		if err != nil {
			return "", err
		}
		if strings.Contains(s, ",") {
			return "", p.errf(c, "%s: one item per list entry, not %q", what, s)
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, ","), nil
}
