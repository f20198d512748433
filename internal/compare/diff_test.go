package compare

import (
	"github.com/bploadgen/bploadgen/internal/result"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/assert"
)

func TestParseDiffGood(t *testing.T) {
	for _, c := range []struct {
		in        string
		canonical string
		value     float64
		relative  bool
		kind      assert.MetricKind
		scope     assert.Scope
	}{
		{"p99 < +10%", "p99 < +10%", 0.10, true, assert.TimeMetric, assert.Scope{}},
		{"p99<+10%", "p99 < +10%", 0.10, true, assert.TimeMetric, assert.Scope{}},
		{"P99 <= + 10 %", "p99 <= +10%", 0.10, true, assert.TimeMetric, assert.Scope{}},
		{"p99 < +5ms", "p99 < +5ms", 0.005, false, assert.TimeMetric, assert.Scope{}},
		{"p99 < +1.5s in stage 2", "p99 < +1.5s in stage 2", 1.5, false, assert.TimeMetric, assert.Scope{Kind: assert.Stage, Stage: 2}},
		{"service.p99.9 < +800us in each stage", "service.p99.9 < +800µs in each stage", 800e-6, false, assert.TimeMetric, assert.Scope{Kind: assert.EachStage}},
		{"mean ≤ -0%", "mean <= -0%", 0, true, assert.TimeMetric, assert.Scope{}},
		{"p99 < +1m30s", "p99 < +1m30s", 90, false, assert.TimeMetric, assert.Scope{}},
		// a percent of a ratio is percentage points: an absolute 0.005
		{"ratio(503) < +0.5%", "ratio(503) < +0.5pp", 0.005, false, assert.RatioMetric, assert.Scope{}},
		{"ratio( 5XX ) < +0.5pp in run", "ratio(5xx) < +0.5pp", 0.005, false, assert.RatioMetric, assert.Scope{}},
		{"ratio(errors) < +0.001", "ratio(errors) < +0.1pp", 0.001, false, assert.RatioMetric, assert.Scope{}},
		{"achieved >= -0.1pp", "achieved >= -0.1pp", -0.001, false, assert.RatioMetric, assert.Scope{}},
		{"rps > -5%", "rps > -5%", -0.05, true, assert.RateMetric, assert.Scope{}},
		{"rps > -20 in STAGE 3", "rps > -20 in stage 3", -20, false, assert.RateMetric, assert.Scope{Kind: assert.Stage, Stage: 3}},
		{"2xx.p50 < +.5%", "2xx.p50 < +0.5%", 0.005, true, assert.TimeMetric, assert.Scope{}},
		// the one gate grammar: scopes as run --assert spells them
		{"p99 < +5ms IN stage2", "p99 < +5ms in stage 2", 0.005, false, assert.TimeMetric, assert.Scope{Kind: assert.Stage, Stage: 2}},
		{"p99 < +5 ms in each stages", "p99 < +5ms in each stage", 0.005, false, assert.TimeMetric, assert.Scope{Kind: assert.EachStage}},
	} {
		d, err := ParseDiff(c.in)
		if err != nil {
			t.Errorf("ParseDiff(%q): %v", c.in, err)
			continue
		}
		if d.String() != c.canonical || d.Value != c.value || d.Relative != c.relative || d.Kind != c.kind || d.Scope != c.scope {
			t.Errorf("ParseDiff(%q) = %q value %g relative %v kind %v scope %v; want %q %g %v %v %v",
				c.in, d.String(), d.Value, d.Relative, d.Kind, d.Scope, c.canonical, c.value, c.relative, c.kind, c.scope)
		}
		again, err := ParseDiff(d.String())
		if err != nil {
			t.Errorf("ParseDiff(%q) (canonical): %v", d.String(), err)
		}
		again.Raw = d.Raw
		if again != d {
			t.Errorf("canonical form %q does not parse back: %+v vs %+v", d.String(), again, d)
		}
	}
}

func TestParseDiffBad(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"", "empty"},
		{"p99 +10%", "no comparison"},
		{"< +10%", "missing metric"},
		{"p98.5x < +10%", "unknown metric"},
		{"p99 =< +10%", "unknown operator"},
		{"p99 < 10%", "has no sign: compare bounds the difference NEW − BASE"},
		{"p99 < 250ms", "a plain 250ms bounds p99 itself"},
		{"p99 <", "missing value after <"},
		{"p99 < +5", "a time difference needs a unit"},
		{"p99 < +5pp", "percentage points (pp) are for ratios"},
		{"p99 < +2h", "at most 1h"},
		{"p99 < +1e3ms", `unknown unit "e"`},
		{"p99 < +5 kg", `unexpected "kg" after the value`},
		{"p99 < +5kg", `unknown unit "kg"`},
		{"ratio(503) < +5ms", `unit "ms" does not fit ratio(503)`},
		{"ratio(503) < +150%", "at most 100 percentage points"},
		{"ratio(503) < +2", "a fraction of at most 1"},
		{"rps > -5 ms", `unit "ms" does not fit rps`},
		{"p99 < +10% in each 10s", "compare has no window scopes"},
		{"p99 < +10% in stage 0", "want a stage number from 1"},
		{"p99 < +10% in stage 0", "want a stage number from 1"},
		{"p99 < +10% in galaxy", "unknown scope"},
		{"p99 < +10% in", `missing scope after "in"; want run, stage N or each stage`},
		{"p99 < +10% each stage", `unexpected "each" after the value`},
		{"p99 < ++10%", "not a signed number"},
	} {
		_, err := ParseDiff(c.in)
		if err == nil {
			t.Errorf("ParseDiff(%q) succeeded, want an error containing %q", c.in, c.want)
			continue
		}
		if !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "assert ") {
			t.Errorf("ParseDiff(%q) = %q, want it to contain %q", c.in, err, c.want)
		}
	}
}

func TestParseDiffs(t *testing.T) {
	ds, err := ParseDiffs([]string{"p99 < +10%", "rps > -5%"})
	if err != nil || len(ds) != 2 {
		t.Fatalf("ParseDiffs = %v, %v", ds, err)
	}
	if _, err := ParseDiffs([]string{"p99 < +10%", "bogus"}); err == nil {
		t.Error("ParseDiffs accepted a bad assertion")
	}
}

func TestValidateDiffs(t *testing.T) {
	runOf := func(names ...string) *result.Result {
		r := &result.Result{}
		for _, n := range names {
			r.Stages = append(r.Stages, result.Stage{Name: n})
		}
		return r
	}
	r2, r3, r4 := runOf("a", "b"), runOf("a", "b", "peak"), runOf("a", "b", "c", "d")
	ds, _ := ParseDiffs([]string{"p99 < +10% in stage 3"})
	if err := ValidateDiffs(ds, r3, r3); err != nil {
		t.Errorf("stage 3 of 3: %v", err)
	}
	if err := ValidateDiffs(ds, r3, r2); err == nil || !strings.Contains(err.Error(), "stage 3 does not exist") {
		t.Errorf("stage 3 of 2: %v", err)
	}
	each, _ := ParseDiffs([]string{"p99 < +10% in each stage"})
	if err := ValidateDiffs(each, r3, r4); err == nil || !strings.Contains(err.Error(), "only `in run`") {
		t.Errorf("each stage over 3 and 4 stages: %v", err)
	}
	named, _ := ParseDiffs([]string{"p99 < +10% in stage peak"})
	if err := ValidateDiffs(named, r3, r3); err != nil || named[0].Scope.Stage != 3 {
		t.Errorf("stage peak: stage %d, %v", named[0].Scope.Stage, err)
	}
	named, _ = ParseDiffs([]string{"p99 < +10% in stage peak"})
	if err := ValidateDiffs(named, r4, r4); err == nil || !strings.Contains(err.Error(), "no stage is called peak") {
		t.Errorf("stage peak of a run without one: %v", err)
	}
}

func TestParseBand(t *testing.T) {
	for in, want := range map[string]float64{"5%": 0.05, "0.05": 0.05, " 10 % ": 0.1, "100%": 1} {
		if got, err := ParseBand(in); err != nil || got != want {
			t.Errorf("ParseBand(%q) = %g, %v; want %g", in, got, err, want)
		}
	}
	for _, in := range []string{"", "0", "-5%", "150%", "NaN", "x"} {
		if _, err := ParseBand(in); err == nil {
			t.Errorf("ParseBand(%q) accepted", in)
		}
	}
}
