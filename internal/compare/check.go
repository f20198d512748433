package compare

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Check is one evaluated part of a difference assertion.
type Check struct {
	Expr   string `json:"expr"`
	Scope  string `json:"scope"` // "run" or "stage N"
	Metric string `json:"metric"`
	Kind   string `json:"kind"` // "time", "ratio" or "rate"
	Op     string `json:"op"`
	// Threshold is the Diff's signed bound; Relative says it is a fraction
	// of the base value.
	Threshold float64 `json:"threshold"`
	Relative  bool    `json:"relative"`
	Base      float64 `json:"base"`
	New       float64 `json:"new"`
	// Observed is New − Base, or (New − Base)/Base when Relative.
	Observed float64 `json:"observed"`
	Pass     bool    `json:"pass"`
	// Note explains a verdict that is not a plain comparison.
	Note string `json:"note,omitempty"`
}

// ValidateDiffs checks the scopes of diffs against the two results, so
// that `in stage 5` fails as a usage error, and resolves a stage named
// (`in stage peak`) to its number in base, in place: stages are compared
// by index.
func ValidateDiffs(diffs []Diff, base, next *result.Result) error {
	nBase, nNew := len(base.Stages), len(next.Stages)
	for i := range diffs {
		d := &diffs[i]
		if d.Scope.Kind == assert.Stage && d.Scope.StageName != "" {
			n, err := assert.StageNumber(d.Scope.StageName, base.StageNames())
			if err != nil {
				return &assert.ParseError{Expr: d.text(), Msg: "base: " + err.Error()}
			}
			d.Scope.Stage = n
		}
		switch {
		case d.Scope.Kind == assert.Stage && (d.Scope.Stage > nBase || d.Scope.Stage > nNew):
			return &assert.ParseError{Expr: d.text(), Msg: fmt.Sprintf("stage %d does not exist: the runs have %d and %d stages", d.Scope.Stage, nBase, nNew)}
		case d.Scope.Kind != assert.Run && nBase != nNew:
			return &assert.ParseError{Expr: d.text(), Msg: fmt.Sprintf("the runs have %d and %d stages: only `in run` can be compared", nBase, nNew)}
		}
	}
	return nil
}

func (d Diff) text() string {
	if d.Raw != "" {
		return d.Raw
	}
	return d.String()
}

// evaluate checks every Diff against the two results, in order.
func evaluate(diffs []Diff, base, next *result.Result) ([]Check, error) {
	if err := ValidateDiffs(diffs, base, next); err != nil {
		return nil, err
	}
	var out []Check
	for _, d := range diffs {
		var stages []int // 0-based; -1 is the run
		switch d.Scope.Kind {
		case assert.Run:
			stages = []int{-1}
		case assert.Stage:
			stages = []int{d.Scope.Stage - 1}
		case assert.EachStage:
			for k := range base.Stages {
				stages = append(stages, k)
			}
		}
		for _, k := range stages {
			sb, sn, scope := &base.Total, &next.Total, "run"
			if k >= 0 {
				sb, sn, scope = &base.Stages[k], &next.Stages[k], fmt.Sprintf("stage %d", k+1)
			}
			c, err := check(d, sb, sn)
			if err != nil {
				return nil, fmt.Errorf("assert %q in %s: %w", d.text(), scope, err)
			}
			c.Scope = scope
			out = append(out, c)
		}
	}
	return out, nil
}

// check evaluates d on one pair of stages. No data on either side fails.
func check(d Diff, b, n *result.Stage) (Check, error) {
	c := Check{Expr: d.text(), Metric: d.Metric, Kind: d.Kind.String(), Op: d.Op, Threshold: d.Value, Relative: d.Relative}
	vb, okb, err := assert.MetricValue(b, d.Metric)
	if err != nil {
		return c, err
	}
	vn, okn, err := assert.MetricValue(n, d.Metric)
	if err != nil {
		return c, err
	}
	c.Base, c.New = vb, vn
	switch {
	case !okb && !okn:
		c.Note = "no data in either run"
		return c, nil
	case !okb:
		c.Note = "no data in base"
		return c, nil
	case !okn:
		c.Note = "no data in new"
		return c, nil
	}
	obs := vn - vb
	if d.Relative {
		switch {
		case vb != 0:
			obs /= vb
		case vn != 0:
			// The change from 0 is infinite: it passes only bounds like > +10%.
			c.Note = "base is 0: the relative change is infinite"
			c.Pass = assert.Holds(d.Op, math.Inf(int(math.Copysign(1, vn))), d.Value)
			return c, nil
		}
	}
	c.Observed = obs
	c.Pass = assert.Holds(d.Op, obs, d.Value)
	return c, nil
}
