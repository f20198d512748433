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
	seeds := mergetest.Seeds()
	for i := range seeds {
		f.Add(seeds[i], seeds[(i+1)%len(seeds)])
	}
	f.Fuzz(func(t *testing.T, a, b []byte) {
		ra, err := result.Read(bytes.NewReader(a))
		if err != nil {
			return
		}
		rb, err := result.Read(bytes.NewReader(b))
		if err != nil {
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
