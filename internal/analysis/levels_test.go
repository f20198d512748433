package analysis

import (
	"math"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestFloorLL: requests refused below a limit's level cost its candidate
// only beyond levelEps of them, and ever more as they pile up, capped.
func TestFloorLL(t *testing.T) {
	lc := levelCounts{shed: []int64{0, 0, 2, 86, 3898}, kept: []int64{222, 778, 1649, 2741, 201}}
	for _, tc := range []struct {
		floor int
		zero  bool
	}{
		{0, true}, {1, true}, {2, true}, {3, true}, {4, true}, // below level 3: 2 of 2,651, within 1%
		{5, false}, // below 4: 88 of 5,568, 1.6%
	} {
		ll := lc.floorLL(tc.floor)
		if (ll == 0) != tc.zero || ll > 0 || ll < -50 {
			t.Errorf("floor %d: %g", tc.floor, ll)
		}
	}
	if ll := lc.floorLL(6); ll != -50 {
		t.Errorf("floor 6 (3,986 refused below level 5): %g, want the cap -50", ll)
	}
	if a, b := lc.floorLL(5), (&levelCounts{shed: []int64{0, 0, 1, 43}, kept: []int64{111, 389, 825, 1370}}).floorLL(5); !(a < b && b < 0) || math.Abs(a-2*b) > 1e-9*math.Abs(a) {
		t.Errorf("twice the requests at the same shares: %g against %g, want twice as negative", a, b)
	}
}

// withoutLevels is r with the responses' levels removed, as a result
// recorded before they were.
func withoutLevels(r *result.Result) *result.Result {
	c := *r
	c.Stages = append([]result.Stage(nil), r.Stages...)
	for i := range c.Stages {
		c.Stages[i].InFlightAtSend = nil
	}
	c.Total.InFlightAtSend = nil
	return &c
}

// TestRecognisedByLevels: the built-in target's adaptive limit (4 workers,
// 12 waiting slots, the AIMD limit between them) under Poisson 200 → 800
// rps refused from level 4 up, its limit moving: 47 refused at levels 2 and
// 3, 1,108 at 4 and 5. Without the levels it read as a bounded queue of
// K = 7 (99.6%), which cannot refuse below level 6; with them it is an
// adaptive limit. Behind the built-in token bucket (350/s, 5 tokens, 16
// workers) refusals came at every level (9 of 246 sent with nothing else in
// flight): still a rate limit. Recorded with
//
//	bploadgen target --addr 127.0.0.1:18099 --policy aimd --workers 4 --queue 12
//	bploadgen target --addr 127.0.0.1:18099 --policy ratelimit --limit 350 --burst 5 --limit-status 503 --workers 16 --queue 100
//	bploadgen run http://127.0.0.1:18099/ --profile step --from 200 --to 800 --steps 4 --step-duration 5s --arrival poisson --seed 1 -q -o FILE
func TestRecognisedByLevels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, with, without string
	}{
		{"testdata/aimd-builtin-levels.json", mechAdaptive, mechBoundedQueue},
		{"testdata/ratelimit-builtin-levels.json", mechRateLimit, mechRateLimit},
	} {
		r, err := result.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		sh := mustAnalyze(t, r, ModelSpec{}).Shedding
		if sh.Mechanism != tc.with || sh.Confidence < 0.9 {
			t.Errorf("%s: %s (%.3g), want %s: %+v", tc.file, sh.Mechanism, sh.Confidence, tc.with, sh.Candidates)
		}
		if !strings.Contains(strings.Join(sh.Evidence, "\n"), "answers by the client's other requests in flight when each was sent") {
			t.Errorf("%s: evidence %q", tc.file, sh.Evidence)
		}
		if old := mustAnalyze(t, withoutLevels(r), ModelSpec{}).Shedding; old.Mechanism != tc.without {
			t.Errorf("%s without levels: %s (%.3g), want %s as before they were recorded", tc.file, old.Mechanism, old.Confidence, tc.without)
		}
	}
}
