package merge

import (
	"errors"
	"fmt"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/result"
)

// ErrRecordedAssert is Gated's error when no gates are given and an input
// records an assertion this version cannot parse: the caller asks for the
// gates.
var ErrRecordedAssert = errors.New("an input records an assertion this version cannot read")

// Gated merges rs (Merge; an *InputError when an input does not fit) and
// evaluates the gates on the merged result: gates, or when gates is nil
// the assertions the inputs recorded (AssertExprs). The merged result's
// Assertions are never nil.
func Gated(rs []*result.Result, gates []assert.Expr) (*result.Result, error) {
	m, err := Merge(rs)
	if err != nil {
		return nil, err
	}
	if gates == nil {
		if gates, err = assert.ParseAll(AssertExprs(rs)); err != nil {
			return nil, fmt.Errorf("%w (%v)", ErrRecordedAssert, err)
		}
	}
	if err := assert.Validate(gates, m.StageNames()); err != nil {
		return nil, err
	}
	if m.Assertions, err = assert.Evaluate(m, gates); err != nil {
		return nil, fmt.Errorf("evaluating assertions: %v", err)
	}
	if m.Assertions == nil {
		m.Assertions = []result.Assertion{}
	}
	return m, nil
}
