package compare

import (
	"bytes"
	"io"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// FuzzCompare: whatever two result files say, Compare either refuses them
// or returns a report that every writer renders (the JSON with no NaN or
// infinity), and never panics.
func FuzzCompare(f *testing.F) {
	seeds := mergetest.Seeds()
	for i := range seeds {
		f.Add(seeds[i], seeds[(i+1)%len(seeds)])
	}
	diffs, err := ParseDiffs([]string{"p99 < +10%", "ratio(503) < +1pp in each stage", "rps > -5%"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		base, err := result.Read(bytes.NewReader(a))
		if err != nil {
			return
		}
		next, err := result.Read(bytes.NewReader(b))
		if err != nil {
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
