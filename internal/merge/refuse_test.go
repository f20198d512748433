package merge_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Inputs that are not parts of the same plan are refused with a one-line
// message naming the input (by file name, through Format) and the field.
func TestMergeRefuses(t *testing.T) {
	names := []string{"a.json", "b.json", "c.json"}
	built, _ := mergetest.MustBuild(stepSpec("uniform", 3))
	for _, c := range []struct {
		name   string
		spoil  func(rs []*result.Result)
		wantIn string
	}{
		{"schema", func(rs []*result.Result) { rs[1].Schema = "bploadgen.result/v2" },
			`b.json: schema: "bploadgen.result/v2" is not "bploadgen.result/v1"`},
		{"rate", func(rs []*result.Result) { rs[1].Plan.Stages[2].Rate = 1000 },
			"b.json: plan.stages[2].rate is 1000 but 900 in a.json: results of different plans cannot be merged"},
		{"profile", func(rs []*result.Result) { rs[2].Plan.Profile = "ramp" },
			`c.json: plan.profile is "ramp" but "step" in a.json: results of different plans cannot be merged`},
		{"stage count", func(rs []*result.Result) { rs[1].Plan.Stages = rs[1].Plan.Stages[:2] },
			"b.json: plan.stages is 2 stages but 3 stages in a.json"},
		{"duration", func(rs []*result.Result) { rs[1].DurationS = 30 },
			"b.json: duration_s is 30 but 12 in a.json"},
		{"arrival", func(rs []*result.Result) { rs[1].Arrival = "poisson" },
			`b.json: arrival is "poisson" but "uniform" in a.json`},
		{"url", func(rs []*result.Result) { rs[1].Target.URL = "http://10.0.0.1/" },
			`b.json: target.url is "http://10.0.0.1/" but "http://127.0.0.1:8080/" in a.json: results of different targets cannot be merged`},
		{"method", func(rs []*result.Result) { rs[2].Target.Method = "POST" },
			`c.json: target.method is "POST" but "GET" in a.json`},
		{"header", func(rs []*result.Result) { rs[1].Target.Headers = map[string]string{"X-Env": "staging"} },
			`b.json: target.headers["X-Env"] is "staging" but "(none)" in a.json`},
		{"hdr", func(rs []*result.Result) { rs[0].HDR.SigFigs = 2 },
			"a.json: hdr: histogram geometry"},
		{"tool", func(rs []*result.Result) { rs[1].Tool.Name = "vegeta" },
			`b.json: tool.name is "vegeta" but "bploadgen" in a.json`},
		{"shard count", func(rs []*result.Result) { rs[2].Shard.Count = 4 },
			"c.json: shard.count is 4 but 3 in a.json: shards of different splits cannot be merged"},
		{"duplicate shard", func(rs []*result.Result) { rs[2].Shard.Index = 1 },
			"c.json: shard 1/3 is also in a.json: each shard may be merged once"},
		{"bad shard", func(rs []*result.Result) { rs[1].Shard.Index = 5 },
			"b.json: shard: 5/3 is not a shard I/N"},
		{"shard and whole", func(rs []*result.Result) { rs[1].Shard = nil },
			"a.json: is shard 1/3 but b.json is a whole run"},
		{"missing histogram", func(rs []*result.Result) { rs[1].Stages[0].HDR.Latency = "" },
			"b.json: stages[0].hdr.latency: missing, yet the input has"},
		{"corrupt histogram", func(rs []*result.Result) { rs[1].Total.HDR.ServiceTime = "not base64!" },
			"b.json: total.hdr.service_time: not a histogram"},
		{"count mismatch", func(rs []*result.Result) { rs[1].Stages[1].Latency.Count++ },
			"b.json: stages[1].hdr.latency: holds"},
		{"negative count", func(rs []*result.Result) { rs[1].Stages[1].Sent = -1 },
			"b.json: stages[1].sent: -1: a count cannot be negative"},
		{"count past int64", func(rs []*result.Result) { rs[2].Timeline[4].Scheduled = math.MaxInt64 / 2 },
			"c.json: timeline[4].scheduled: 4611686018427387903 is more than 3 inputs can add up to"},
		{"window length", func(rs []*result.Result) { rs[1].Timeline[3].DurationS = 2 },
			"b.json: timeline[3].duration_s is 2 but 1 in a.json: windows of different lengths cannot be aligned"},
	} {
		t.Run(c.name, func(t *testing.T) {
			rs := clone(t, built)
			c.spoil(rs)
			_, err := merge.Merge(rs)
			var ie *merge.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("err = %v, want an *InputError", err)
			}
			msg := ie.Format(names)
			if !strings.Contains(msg, c.wantIn) {
				t.Errorf("message\n  %s\ndoes not contain\n  %s", msg, c.wantIn)
			}
			if strings.Contains(msg, "\n") {
				t.Errorf("message is not one line: %q", msg)
			}
		})
	}
}

func TestMergeRefusesNothingAndNil(t *testing.T) {
	if _, err := merge.Merge(nil); err == nil {
		t.Error("Merge(nil) succeeded")
	}
	if _, err := merge.Merge([]*result.Result{nil}); err == nil {
		t.Error("Merge([nil]) succeeded")
	}
}

func TestInputErrorFormatWithoutNames(t *testing.T) {
	e := &merge.InputError{Index: 1, Other: 0, Field: "arrival", Got: `"poisson"`, Want: `"uniform"`}
	if got, want := e.Error(), `input 2: arrival is "poisson" but "uniform" in input 1`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func TestAssertExprs(t *testing.T) {
	a := &result.Result{Assertions: []result.Assertion{{Expr: "p99<250ms"}, {Expr: "p99 < 400ms in each stage"}, {Expr: "p99 < 400ms in each stage"}}}
	b := &result.Result{Assertions: []result.Assertion{{Expr: "ratio(503) < 1%"}, {Expr: "p99<250ms"}}}
	got := merge.AssertExprs([]*result.Result{a, b})
	want := []string{"p99<250ms", "p99 < 400ms in each stage", "ratio(503) < 1%"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("AssertExprs = %q, want %q", got, want)
	}
}

// TestMergeRefusesOverflow: inputs whose sum no float64 holds (a hostile
// 1.7e308 in each) are refused with the field named, not merged into a
// result that cannot be written.
func TestMergeRefusesOverflow(t *testing.T) {
	built, _ := mergetest.MustBuild(stepSpec("uniform", 3))
	rs := clone(t, built)
	for _, r := range rs {
		r.Stages[1].BusyS = 1.7e308
	}
	_, err := merge.Merge(rs)
	if err == nil || !strings.Contains(err.Error(), "stages[1].busy_s is +Inf") {
		t.Errorf("err = %v, want stages[1].busy_s named", err)
	}
}
