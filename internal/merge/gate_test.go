package merge_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

func TestGated(t *testing.T) {
	shards, _ := mergetest.MustBuild(stepSpec("poisson", 2))
	// No gates given: the inputs' recorded assertions, evaluated again on
	// the merged data.
	for _, r := range shards {
		r.Assertions = []result.Assertion{{Expr: "p99 < 10s", Pass: true}, {Expr: "ratio(errors) < 0%", Pass: true}}
	}
	m, err := merge.Gated(shards, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Assertions) != 2 || !m.Assertions[0].Pass || m.Assertions[1].Pass {
		t.Errorf("recorded gates: %+v", m.Assertions)
	}
	// Gates given replace them; none at all leaves an empty list.
	gates, err := assert.ParseAll([]string{"p99 < 1ns in each stage"})
	if err != nil {
		t.Fatal(err)
	}
	if m, err = merge.Gated(shards, gates); err != nil || len(m.Assertions) != 3 || m.Assertions[0].Pass { // one per stage
		t.Errorf("given gates: %+v, %v", m.Assertions, err)
	}
	if m, err = merge.Gated(shards, []assert.Expr{}); err != nil || m.Assertions == nil || len(m.Assertions) != 0 {
		t.Errorf("no gates: %#v, %v", m.Assertions, err)
	}
	// Errors: a gate on a stage the plan lacks, an unreadable recorded
	// assertion, an input that does not fit.
	if gates, err = assert.ParseAll([]string{"p99 < 1s in stage 4"}); err != nil {
		t.Fatal(err)
	}
	if _, err := merge.Gated(shards, gates); err == nil || !strings.Contains(err.Error(), "stage 4") {
		t.Errorf("stage 4: %v", err)
	}
	shards[1].Assertions = []result.Assertion{{Expr: "p99 < soon"}}
	if _, err := merge.Gated(shards, nil); !errors.Is(err, merge.ErrRecordedAssert) {
		t.Errorf("unreadable recorded assertion: %v", err)
	}
	var ie *merge.InputError
	if _, err := merge.Gated([]*result.Result{shards[0], shards[0]}, nil); !errors.As(err, &ie) {
		t.Errorf("a shard twice: %v", err)
	}
}
