package compare

import (
	"io"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
)

// FuzzCompare: whatever two result files say, Compare either refuses them
// or returns a report that every writer renders (the JSON with no NaN or
// infinity), and never panics.
func FuzzCompare(f *testing.F) {
	for _, p := range mergetest.SeedPairs() {
		f.Add(p[0], p[1])
	}
	diffs, err := ParseDiffs([]string{"p99 < +10%", "ratio(503) < +1pp in each stage", "rps > -5%"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		base, next, ok := mergetest.ReadPair(a, b)
		if !ok {
			return
		}
		rep, err := Options{TimeBand: 0.05, Diffs: diffs}.Compare(base, next)
		if err != nil {
			return
		}
		for _, write := range []func(io.Writer) error{rep.WriteText, rep.WriteMarkdown, rep.WriteJSON} {
			if err := write(io.Discard); err != nil {
				t.Fatalf("compare report does not render: %v", err)
			}
		}
	})
}
