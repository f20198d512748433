package merge_test

import (
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
)

// BenchmarkMerge merges the three shards of the 12 s step run (36
// windows, three histograms each); the figure per window is what a long
// result's merge pays for each of its seconds.
func BenchmarkMerge(b *testing.B) {
	shards, _ := mergetest.MustBuild(stepSpec("poisson", 3))
	windows := len(shards[0].Timeline)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := merge.Merge(shards); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*windows), "ns/window")
}
