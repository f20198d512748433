package merge

import (
	"math"
	"reflect"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// TestConcatEqualsOneStage: three consecutive 2-second stages at one rate,
// concatenated, are the record of one 6-second stage of the same requests:
// the same counts and, since histograms add exactly, the same percentiles.
func TestConcatEqualsOneStage(t *testing.T) {
	spec := mergetest.Spec{
		Start: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), URL: "http://127.0.0.1:1/", Profile: "stages",
		Arrival: "poisson", Seed: 11, Service: 4 * time.Millisecond, Reject: 0.05, Timeout: 0.01,
	}
	for i := range 3 {
		spec.Stages = append(spec.Stages, result.PlanStage{StartS: float64(2 * i), DurationS: 2, Rate: 300})
	}
	reqs := mergetest.Requests(spec)
	parts, err := mergetest.Build(spec, reqs)
	if err != nil {
		t.Fatal(err)
	}
	whole := spec
	whole.Stages = []result.PlanStage{{StartS: 0, DurationS: 6, Rate: 300}}
	ones, err := mergetest.Build(whole, reqs)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Concat(parts[0].Stages)
	if err != nil {
		t.Fatal(err)
	}
	want := ones[0].Stages[0]
	if got.Scheduled != want.Scheduled || got.Sent != want.Sent || got.NotSent != want.NotSent || got.Completed != want.Completed {
		t.Errorf("counts %d/%d/%d/%d, want %d/%d/%d/%d", got.Scheduled, got.Sent, got.NotSent, got.Completed,
			want.Scheduled, want.Sent, want.NotSent, want.Completed)
	}
	if !reflect.DeepEqual(got.Status, want.Status) || !reflect.DeepEqual(got.Errors, want.Errors) {
		t.Errorf("status %v errors %v, want %v %v", got.Status, got.Errors, want.Status, want.Errors)
	}
	if got.Latency != want.Latency || got.Latency2xx != want.Latency2xx || got.ServiceTime != want.ServiceTime {
		t.Errorf("latency %+v, want %+v", got.Latency, want.Latency)
	}
	if got.HDR.Latency != want.HDR.Latency {
		t.Error("the latency histograms differ")
	}
	if got.LengthS() != 6 || got.StartS != 0 {
		t.Errorf("interval [%g, %g], want [0, 6]", got.StartS, got.EndS)
	}
	// Sums of floats in another order: equal to rounding.
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"offered_rps", got.OfferedRPS, want.OfferedRPS},
		{"achieved_rps", got.AchievedRPS, want.AchievedRPS},
		{"throughput_rps", got.ThroughputRPS, want.ThroughputRPS},
		{"busy_s", got.BusyS, want.BusyS},
	} {
		if math.Abs(c.got-c.want) > 1e-9*math.Abs(c.want) {
			t.Errorf("%s = %.12g, want %.12g", c.name, c.got, c.want)
		}
	}
}

func TestConcatErrors(t *testing.T) {
	if _, err := Concat(nil); err == nil {
		t.Error("no stages: no error")
	}
	bad := []result.Stage{{StartS: 2, EndS: 1}}
	if _, err := Concat(bad); err == nil {
		t.Error("a stage that ends before it starts: no error")
	}
	corrupt := []result.Stage{{StartS: 0, EndS: 1, Latency: result.Summary{Count: 3}, HDR: result.StageHDR{Latency: "not base64"}}}
	if _, err := Concat(corrupt); err == nil {
		t.Error("an undecodable histogram: no error")
	}
}
