package merge_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/golden"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A small merge, whole, as the document a user gets: two shards started
// 300ms apart, two stages of two seconds.
func TestMergeGolden(t *testing.T) {
	spec := mergetest.Spec{
		Start: t0, URL: "http://127.0.0.1:8080/", Profile: "step",
		Stages: []result.PlanStage{
			{Name: "step 1 @ 20 rps", StartS: 0, DurationS: 2, Rate: 20},
			{Name: "step 2 @ 40 rps", StartS: 2, DurationS: 2, Rate: 40},
		},
		Arrival: "uniform", Seed: 5, Service: time.Millisecond, Reject: 0.1, Shards: 2, Skew: 300 * time.Millisecond,
	}
	shards, _ := mergetest.MustBuild(spec)
	shards[1].Warnings = []string{"send lag p99 above 1ms"}
	var b bytes.Buffer
	if err := result.Write(&b, mustMerge(t, shards...)); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "merged.golden.json"), b.Bytes())
}
