package profile

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: any input either parses into a valid profile or returns a
// *Error naming the file; it never panics.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("../../testdata/profiles/*.yaml")
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "a: [", "stages: [{rate: 1, duration: 1s}]", "profile: {kind: ramp, from: 1, to: 2, duration: 1s, steps: 9999}",
		"x: &a [*a]", "target: {url: 'http://[::1]:80/'}", "seed: 0x10", "stages: [{rate: .inf, duration: 1h}]",
		"retry: {on: [503, 5xx, timeout], max: 3, backoff: 1ms..2ms, after: honor, after_max: 0, budget: 20%}", "retry: {on: *x}", "retry: {on: [[]]}"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse("f.yaml", data)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("error %T %v", err, err)
			}
			return
		}
		if p.Retry != nil {
			if pol := p.Retry.Policy; pol.Max < 0 || pol.Max > MaxRetries || pol.BackoffMin <= 0 || pol.BackoffMax < pol.BackoffMin || pol.RetryAfterMax < 0 {
				t.Fatalf("parsed an invalid retry policy %+v", pol)
			}
		}
		if p.Stages != nil {
			if err := ValidateStages(p.Stages); err != nil {
				t.Fatalf("parsed invalid stages: %v", err)
			}
		}
	})
}
