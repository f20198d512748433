package mergetest

import (
	"bytes"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Seeds are small result files for fuzz tests of whatever reads one (a
// user's file may say anything): two one-second stages at 40 and 80 rps
// with 503s, timeouts and not-sent arrivals, as a whole result, with a
// request mix, with client retries, and as two shards. Each is a few KB,
// so a fuzzer mutates them quickly.
func Seeds() [][]byte {
	base := Spec{
		Start: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC), URL: "http://127.0.0.1:8080/?token=s3cret", Profile: "step",
		Stages: []result.PlanStage{
			{Name: "step 1 @ 40 rps", StartS: 0, DurationS: 1, Rate: 40},
			{Name: "step 2 @ 80 rps", StartS: 1, DurationS: 1, Rate: 80},
		},
		Arrival: "poisson", Seed: 1, Service: 5 * time.Millisecond, Reject: 0.2, Timeout: 0.05, NotSent: 0.05,
	}
	mix, retry, shards := base, base, base
	mix.Mix = []MixEntry{{Name: "home", Weight: 3}, {Name: "checkout", Weight: 1, Slow: 2}}
	retry.Retry = &RetrySpec{Max: 2, BackoffMax: 50 * time.Millisecond, Denied: 0.1}
	shards.Shards = 2
	var out [][]byte
	for _, s := range []Spec{base, mix, retry, shards} {
		rs, _ := MustBuild(s)
		for _, r := range rs {
			var b bytes.Buffer
			if err := result.Write(&b, r); err != nil {
				panic(err) // a built result always encodes
			}
			out = append(out, b.Bytes())
		}
	}
	return out
}

// SeedPairs are Seeds, each paired with the next, for fuzz tests of two
// result files (merge, compare).
func SeedPairs() [][2][]byte {
	s := Seeds()
	out := make([][2][]byte, len(s))
	for i := range s {
		out[i] = [2][]byte{s[i], s[(i+1)%len(s)]}
	}
	return out
}

// ReadPair reads two fuzzed result files; ok is false when either is not
// a result (the fuzz case then has nothing to check).
func ReadPair(a, b []byte) (ra, rb *result.Result, ok bool) {
	ra, err := result.Read(bytes.NewReader(a))
	if err != nil {
		return nil, nil, false
	}
	rb, err = result.Read(bytes.NewReader(b))
	return ra, rb, err == nil
}
