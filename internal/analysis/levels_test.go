package analysis

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestFloorLL: requests refused below a limit's level cost its candidate
// only beyond levelEps of them (levelSlack one level below), and ever more
// as they pile up, capped.
func TestFloorLL(t *testing.T) {
	// The built-in target with 4 workers and no queue: 2 of 2,651 refused
	// below level 3, 3% at 3, 95% at 4.
	lc := levelCounts{shed: []int64{0, 0, 2, 86, 3898}, kept: []int64{222, 778, 1649, 2741, 201}}
	for floor := 0; floor <= 4; floor++ {
		if ll := lc.floorLL(floor); ll != 0 {
			t.Errorf("floor %d: %g, want 0", floor, ll)
		}
	}
	for _, floor := range []int{5, 6} { // 95% refused at 4: a limit of 5 or more cannot
		if ll := lc.floorLL(floor); ll != -50 {
			t.Errorf("floor %d: %g, want the cap -50", floor, ll)
		}
	}
	// 2% refused at level 1, none at 2: a limit of 3 is held to 1% below 2.
	a := (&levelCounts{shed: []int64{0, 40, 0}, kept: []int64{1000, 960, 1000}}).floorLL(3)
	b := (&levelCounts{shed: []int64{0, 20, 0}, kept: []int64{500, 480, 500}}).floorLL(3)
	if !(a < b && b < 0) || math.Abs(a-2*b) > 1e-9*math.Abs(a) {
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
// flight): still a rate limit. nginx in front of gunicorn (4 workers, a
// listen backlog of 8: K = 13, testdata/shedding) refused none of 5,376
// requests below level 13 and 96% at 13, where the runner-up, a rate limit
// delaying 7, would have refused some from level 7 up: a bounded queue
// (84%), where without the levels it read as that rate limit (65%).
// The built-in target's were recorded with
//
//	bploadgen target --addr 127.0.0.1:18099 --policy aimd --workers 4 --queue 12
//	bploadgen target --addr 127.0.0.1:18099 --policy ratelimit --limit 350 --burst 5 --limit-status 503 --workers 16 --queue 100
//	bploadgen run http://127.0.0.1:18099/ --profile step --from 200 --to 800 --steps 4 --step-duration 5s --arrival poisson --seed 1 -q -o FILE
func TestRecognisedByLevels(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file, with, without string
		confidence          float64 // at least
		answers             string  // the shed codes the evidence names: those the run had
	}{
		{"testdata/aimd-builtin-levels.json", mechAdaptive, mechBoundedQueue, 0.9, "503"},
		{"testdata/ratelimit-builtin-levels.json", mechRateLimit, mechRateLimit, 0.9, "503"},
		{"../../testdata/shedding/nginx-gunicorn.json", mechBoundedQueue, mechRateLimit, 0.8, "502"},
	} {
		r, err := result.ReadFile(tc.file)
		if err != nil {
			t.Fatal(err)
		}
		sh := mustAnalyze(t, r, ModelSpec{}).Shedding
		if sh.Mechanism != tc.with || sh.Confidence < tc.confidence {
			t.Errorf("%s: %s (%.3g), want %s: %+v", tc.file, sh.Mechanism, sh.Confidence, tc.with, sh.Candidates)
		}
		if !slices.ContainsFunc(sh.Evidence, func(e string) bool {
			return strings.HasPrefix(e, tc.answers+" answers by the client's other requests in flight when each was sent")
		}) {
			t.Errorf("%s: evidence %q", tc.file, sh.Evidence)
		}
		if old := mustAnalyze(t, withoutLevels(r), ModelSpec{}).Shedding; old.Mechanism != tc.without {
			t.Errorf("%s without levels: %s (%.3g), want %s as before they were recorded", tc.file, old.Mechanism, old.Confidence, tc.without)
		}
	}
}

// TestRampLL: a rate limit that delays d requests refuses some from level
// d up, P(Poisson(m) ≤ level − d) of them; none refused there costs it.
func TestRampLL(t *testing.T) {
	// nginx in front of gunicorn: none of the requests below level 13
	// refused, nearly all at 13. A limit delaying 7 at 364/s behind a
	// 10.1 ms service (m = 3.7) would have refused a third of those at
	// levels 7 to 11: ruled out; one delaying 12 predicts none below 12.
	gunicorn := levelCounts{shed: append(make([]int64, 13), 1486, 51), kept: append(flat(400, 13), 59)}
	if ll := gunicorn.rampLL(7, 364*0.0101); ll != -50 {
		t.Errorf("gunicorn, delaying 7: %g, want the cap -50", ll)
	}
	if ll := gunicorn.rampLL(12, 364*0.0101); ll != 0 {
		t.Errorf("gunicorn, delaying 12: %g, want 0 (no level checked below the floor's slack)", ll)
	}
	// nginx limit_req burst=30 at 300 r/s, 5 ms: refusals from 30 up, as a
	// limit delaying 30 (or 29, one low) predicts: nothing to hold against it.
	nginx := levelCounts{shed: append(make([]int64, 30), 332, 911, 627, 165, 38), kept: append(flat(29, 30), 1032, 829, 250, 41, 6)}
	for _, d := range []int{29, 30} {
		if ll := nginx.rampLL(d, 303*0.005); ll != 0 {
			t.Errorf("nginx limit_req, delaying %d: %g, want 0", d, ll)
		}
	}
	// A limit delaying 5 whose refusals ramp from level 5 as predicted
	// (m = 2): within chance, nothing held against it.
	var ramp levelCounts
	for l := 0; l < 12; l++ {
		p := 0.0
		if l >= 5 {
			p = poissonCDF(l-5, 2)
		}
		ramp.shed = append(ramp.shed, int64(math.Round(1000*p)))
		ramp.kept = append(ramp.kept, 1000-int64(math.Round(1000*p)))
	}
	if ll := ramp.rampLL(5, 2); ll != 0 {
		t.Errorf("a ramp as predicted: %g, want 0", ll)
	}
	if ll := ramp.rampLL(3, 2); ll >= -10 {
		t.Errorf("the same ramp against a limit delaying 3: %g, want well below 0", ll)
	}
}

// TestShardLevelsNotWeighed: a shard's levels count its own requests only
// (the target held the other shards' too), so a shard's analysis does not
// weigh them: the built-in AIMD recording read as one shard of two is
// read as without levels.
func TestShardLevelsNotWeighed(t *testing.T) {
	r, err := result.ReadFile("testdata/aimd-builtin-levels.json")
	if err != nil {
		t.Fatal(err)
	}
	shard := *r
	shard.Shard = &result.Shard{Index: 1, Count: 2}
	got := mustAnalyze(t, &shard, ModelSpec{}).Shedding
	want := mustAnalyze(t, withoutLevels(r), ModelSpec{}).Shedding
	if got.Mechanism != want.Mechanism || strings.Contains(strings.Join(got.Evidence, "\n"), "answers by the client's other requests") {
		t.Errorf("shard: %s, evidence %q; want %s as without levels", got.Mechanism, got.Evidence, want.Mechanism)
	}
}

// TestStepLL: at its own level a limit refuses all but the requests whose
// client held answers still on the wire (e^−t of them stay).
func TestStepLL(t *testing.T) {
	// nginx in front of php-fpm (K = 13): none refused at 12, 98.6% at 13.
	lc := levelCounts{shed: append(make([]int64, 13), 1376), kept: append(flat(500, 13), 20)}
	if ll := lc.stepLL(12, 0.1); ll != -50 {
		t.Errorf("a limit of 12: %g, want the cap -50 (90%% refused at 12 predicted, none seen)", ll)
	}
	if ll := lc.stepLL(13, 0.1); ll != 0 {
		t.Errorf("a limit of 13: %g, want 0 (more refused than the 90%% predicted)", ll)
	}
	if ll := lc.stepLL(12, 0); ll != 0 {
		t.Errorf("no overhead measured: %g, want 0", ll)
	}
	if ll := lc.stepLL(12, 10); ll != 0 {
		t.Errorf("ten answers on the wire on average: %g, want 0 (e^-10 refused predicted)", ll)
	}
}

// TestLimitByLevels: nginx in front of php-fpm re-recorded with levels
// (record.sh nginx-php-fpm, 2026-12-04): the in-flight maxima put K at 10
// to 12 and the fit chose 12, which would have refused 90% of the 1,030
// requests sent at level 12 (none were); the levels point at 13 and 14,
// and a limit of 14 would have refused few at 13 (98.6% were). It reads
// K = 13 = 4 workers + the backlog's 8 + 1.
func TestLimitByLevels(t *testing.T) {
	r, err := result.ReadFile("testdata/php-fpm-levels.json")
	if err != nil {
		t.Fatal(err)
	}
	sh := mustAnalyze(t, r, ModelSpec{}).Shedding
	if sh.Mechanism != mechBoundedQueue || sh.Limit != 13 || sh.Workers != 4 {
		t.Errorf("%s, c = %d, K = %d: want bounded-queue, 4, 13", sh.Mechanism, sh.Workers, sh.Limit)
	}
	if old := mustAnalyze(t, withoutLevels(r), ModelSpec{}).Shedding; old.Limit == 13 {
		t.Errorf("without levels K = %d: the test needs the fit alone to miss 13", old.Limit)
	}
}

// flat is n levels of kept requests each.
func flat(kept int64, n int) []int64 {
	l := make([]int64, n)
	for i := range l {
		l[i] = kept
	}
	return l
}
