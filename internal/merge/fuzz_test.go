package merge

import (
	"bytes"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// FuzzMerge: whatever two result files say, Merge either refuses them or
// returns a result that encodes (no NaN or infinity reaches the JSON),
// and never panics.
func FuzzMerge(f *testing.F) {
	for _, p := range mergetest.SeedPairs() {
		f.Add(p[0], p[1])
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ra, rb, ok := mergetest.ReadPair(a, b)
		if !ok {
			return
		}
		m, err := Merge([]*result.Result{ra, rb})
		if err != nil {
			return
		}
		if err := result.Write(new(bytes.Buffer), m); err != nil {
			t.Fatalf("merged result does not encode: %v", err)
		}
	})
}
