package capacity

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/merge"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// ms returns n latencies 1ms, 2ms, ... n ms, in a shuffled-enough order
// (by a stride coprime with n) so that each batch holds the whole range.
func spread(n int, unit time.Duration) []time.Duration {
	out := make([]time.Duration, n)
	for i := range n {
		out[i] = time.Duration((i*7919)%n+1) * unit
	}
	return out
}

// batches cuts latencies (and 503s) into k consecutive stages of one
// second each.
func batches(t *testing.T, lat []time.Duration, n503 []int64) []result.Stage {
	t.Helper()
	k := len(n503)
	var out []result.Stage
	for i := range k {
		st := stageFrom(t, lat[i*len(lat)/k:(i+1)*len(lat)/k], n503[i], 1)
		st.StartS, st.EndS = float64(i), float64(i+1)
		out = append(out, st)
	}
	return out
}

// batchCache keeps the fixtures TestJudgeVerdicts shares (encoding
// histograms is slow under -race).
var batchCache sync.Map

// cachedBatches is batches, built once per fixture name.
func cachedBatches(t *testing.T, name string, lat []time.Duration, n503 []int64) []result.Stage {
	if v, ok := batchCache.Load(name); ok {
		return v.([]result.Stage)
	}
	b := batches(t, lat, n503)
	batchCache.Store(name, b)
	return b
}

func judgeSubs(t *testing.T, slo string, subs []result.Stage) result.SLOCheck {
	t.Helper()
	st, err := merge.Concat(subs)
	if err != nil {
		t.Fatal(err)
	}
	checks, _, err := judge(mustParse(t, slo), &st, subs)
	if err != nil {
		t.Fatal(err)
	}
	return checks[0]
}

func TestJudgeVerdicts(t *testing.T) {
	t.Parallel()
	zeros := make([]int64, 10)
	evenly := func(total int64) []int64 {
		out := make([]int64, 10)
		for i := range out {
			out[i] = total / 10
		}
		return out
	}
	lat2000 := spread(2000, time.Millisecond) // 1..2000 ms: p99 is 1980 ms
	for _, tc := range []struct {
		name, slo string
		lat       []time.Duration
		n503      []int64
		want      string
	}{
		// 0 of 2000 rejected: Wilson's upper end z²/(n+z²) = 0.19% < 1%.
		{"no 503s", "ratio(503) < 1%", lat2000, zeros, "pass"},
		// 80 of 2080 (3.8%): Wilson's lower end 3.1% > 1%.
		{"many 503s", "ratio(503) < 1%", lat2000, evenly(80), "fail"},
		// 20 of 2020 (0.99%): the threshold lies inside [0.64%, 1.5%].
		{"503s at the threshold", "ratio(503) < 1%", lat2000, evenly(20), "uncertain"},
		// p99 = 1980 ms; its order-statistic interval spans ranks
		// 1980 ∓ 1.96·√(2000·0.99·0.01) ≈ ∓ 9: about 1971–1990 ms.
		{"p99 far below", "p99 < 3s", lat2000, zeros, "pass"},
		{"p99 far above", "p99 < 1.5s", lat2000, zeros, "fail"},
		{"p99 at the threshold", "p99 < 1980ms", lat2000, zeros, "uncertain"},
		// 400 samples: Wilson's interval of 400 of 400 ends at 99.05%, above
		// 99%: the largest value, 400 ms, bounds the p99.
		{"p99 bounded by the largest value", "p99 < 401ms", spread(400, time.Millisecond), zeros, "pass"},
		{"higher is better", "ratio(2xx) > 99%", lat2000, zeros, "pass"},
		{"higher is better, failing", "ratio(2xx) >= 99.9%", lat2000, evenly(80), "fail"},
		{"max has no interval", "max < 2001ms", lat2000, zeros, "pass"},
		{"mean", "mean < 1100ms", lat2000, zeros, "pass"},
		{"mean above", "mean < 900ms", lat2000, zeros, "fail"},
		{"zero-tolerance ratio on the count", "ratio(503) <= 0", lat2000, zeros, "pass"},
		{"zero-tolerance ratio, one event", "ratio(503) <= 0", lat2000, append(make([]int64, 9), 1), "fail"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := judgeSubs(t, tc.slo, cachedBatches(t, fmt.Sprint(len(tc.lat), tc.n503), tc.lat, tc.n503))
			if c.Verdict != tc.want {
				t.Errorf("%s: verdict %s (value %g, CI [%g, %g], %s), want %s", tc.slo, c.Verdict, c.Value, c.CILow, c.CIHigh, c.Note, tc.want)
			}
			if !(c.CILow <= c.Value && c.Value <= c.CIHigh) {
				t.Errorf("%s: value %g outside its interval [%g, %g]", tc.slo, c.Value, c.CILow, c.CIHigh)
			}
			if c.Samples <= 0 || c.Expr != tc.slo {
				t.Errorf("check %+v", c)
			}
		})
	}
}

// TestJudgeWilsonMatches: without batch effects (rejections spread evenly),
// a ratio's interval is exactly Wilson's.
func TestJudgeWilsonMatches(t *testing.T) {
	t.Parallel()
	per := make([]int64, 10)
	for i := range per {
		per[i] = 3
	}
	c := judgeSubs(t, "ratio(503) < 5%", batches(t, spread(2000, time.Millisecond), per))
	lo, hi, _ := queueing.Wilson(30, 2030, Level)
	if c.Batches != 0 || c.CILow != lo || c.CIHigh != hi {
		t.Errorf("CI [%g, %g] batches %d, want Wilson's [%g, %g]", c.CILow, c.CIHigh, c.Batches, lo, hi)
	}
}

// TestJudgeBurstsWiden: 503s in bursts (half the batches 0%, half 4%)
// make the batch-means interval wider than Wilson's, which alone would
// pass 2% < 2.5%: the verdict becomes uncertain.
func TestJudgeBurstsWiden(t *testing.T) {
	t.Parallel()
	lat := spread(20000, 10*time.Microsecond)
	n503 := make([]int64, 10)
	for i := 0; i < 10; i += 2 {
		n503[i] = 80 // 80 of 2080 in every other batch: 3.8%, and 0% between
	}
	subs := batches(t, lat, n503)
	c := judgeSubs(t, "ratio(503) < 2.5%", subs)
	_, whi, _ := queueing.Wilson(400, 20400, Level)
	if whi >= 0.025 {
		t.Fatalf("the fixture is wrong: Wilson's upper end %g should pass 2.5%%", whi)
	}
	if c.Batches == 0 || c.CIHigh <= whi || c.Verdict != "uncertain" {
		t.Errorf("bursty 503s: CI [%g, %g] from %d batches, verdict %s; want wider than Wilson's %g and uncertain", c.CILow, c.CIHigh, c.Batches, c.Verdict, whi)
	}
}

// TestJudgeTooFewSamples: from 100 samples not even the largest bounds a
// p99 (Wilson's interval of 100 of 100 reaches down to 96.3%): it cannot
// pass, however low, and the note says how many are needed.
func TestJudgeTooFewSamples(t *testing.T) {
	t.Parallel()
	c := judgeSubs(t, "p99 < 10s", batches(t, spread(100, time.Millisecond), make([]int64, 10)))
	if c.Verdict != "uncertain" || !strings.Contains(c.Note, "too few") {
		t.Errorf("verdict %s note %q, want uncertain with a note", c.Verdict, c.Note)
	}
	if math.IsInf(c.CIHigh, 0) {
		t.Error("ci_high must stay finite for JSON")
	}
}

func TestMinSamples(t *testing.T) {
	t.Parallel()
	z := queueing.NormalZ(Level)
	for _, tc := range []struct {
		slo      string
		lo, hi   int64
		rational string
	}{
		// Wilson's interval of n of n ends above p once n > z²p/(1−p):
		// 3.8415·0.99/0.01 = 380.3, 3.8415·0.999/0.001 = 3 837.6.
		{"p99 < 1s", 381, 381, "the largest of n values bounds p99"},
		{"p99.9 < 1s", 3838, 3838, "and p99.9"},
		// n > z²(1−t)/t = 3.8415·0.99/0.01 = 380.3.
		{"ratio(503) < 1%", 381, 381, "Wilson at 0 events"},
		{"ratio(2xx) > 99%", 381, 381, "the same, mirrored"},
		{"mean < 1s", 100, 100, "the floor"},
	} {
		n := MinSamples(mustParse(t, tc.slo)[0])
		if n < tc.lo || n > tc.hi {
			t.Errorf("MinSamples(%s) = %d, want %d–%d (%s)", tc.slo, n, tc.lo, tc.hi, tc.rational)
		}
	}
	// At MinSamples a ratio of 0 events passes, one fewer would not.
	e := mustParse(t, "ratio(503) < 1%")[0]
	n := MinSamples(e)
	_, hi, _ := queueing.Wilson(0, n, Level)
	_, hi1, _ := queueing.Wilson(0, n-1, Level)
	if !(hi < 0.01 && hi1 >= 0.01) {
		t.Errorf("Wilson upper end at n=%d: %g, at n−1: %g; want the 1%% crossing there (z=%g)", n, hi, hi1, z)
	}
}

func TestCheckSLOs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		slos []string
		want string
		is   error
	}{
		{nil, "no SLO", ErrNoSLO},
		{[]string{"p99 < 1s in each stage"}, "drop \"in each stage\"", nil},
		{[]string{"p99 < 1s in stage 1"}, "as a whole", nil},
		{[]string{"rps > 100"}, `SLO "rps > 100": rps rises with the offered rate`, ErrRateSLO},
		{[]string{"p99 < 1s", "ratio(503) < 1%"}, "", nil},
	} {
		err := CheckSLOs(mustParse(t, tc.slos...))
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) || (tc.is != nil && !errors.Is(err, tc.is)) {
			t.Errorf("%q: err %v, want %q", tc.slos, err, tc.want)
		}
	}
}

// TestJudgeStall: one batch in twenty holds a stall (20 of its 200
// responses took 300 ms; the rest 10–12 ms). Every batch lies under
// 300 ms, so the largest value bounds the p99 and p99 < 2s passes; but
// the fraction under 100 ms is 90% in that batch and 100% elsewhere, a
// batch-means interval of 99.5% ± 1.05% that reaches below 99%, so
// p99 < 100ms stays uncertain where Wilson's interval alone (99.5% ±
// 0.2%) would pass it.
func TestJudgeStall(t *testing.T) {
	t.Parallel()
	var subs []result.Stage
	for i := range 20 {
		lat := make([]time.Duration, 200)
		for j := range lat {
			lat[j] = 10*time.Millisecond + time.Duration(j%20)*100*time.Microsecond
			if i == 7 && j < 20 {
				lat[j] = 300 * time.Millisecond
			}
		}
		st := stageFrom(t, lat, 0, 0.5)
		st.StartS, st.EndS = float64(i)/2, float64(i+1)/2
		subs = append(subs, st)
	}
	for _, tc := range []struct{ slo, want string }{
		{"p99 < 2s", "pass"},
		{"p99 < 100ms", "uncertain"},
		{"p99 < 5ms", "fail"},
	} {
		c := judgeSubs(t, tc.slo, subs)
		if c.Verdict != tc.want {
			t.Errorf("%s: %s, CI [%g, %g] batches %d; want %s", tc.slo, c.Verdict, c.CILow, c.CIHigh, c.Batches, tc.want)
		}
	}
}
