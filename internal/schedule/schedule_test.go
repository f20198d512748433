package schedule

import (
	"math"
	"strings"
	"testing"
	"time"
)

const ms = time.Millisecond

func all(t *testing.T, s *Schedule) []Arrival {
	t.Helper()
	var out []Arrival
	for {
		a, ok := s.Next()
		if !ok {
			return out
		}
		out = append(out, a)
	}
}

func mustNew(t testing.TB, segs []Segment, k Kind, seed int64, sh Shard) *Schedule {
	t.Helper()
	s, err := New(segs, k, NewRand(seed), uint64(seed), sh)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestUniformTable(t *testing.T) {
	tests := []struct {
		name string
		segs []Segment
		want []Arrival
	}{
		{
			// 10 rps for 1 s: one arrival every 100 ms, the first at 0.
			name: "constant",
			segs: []Segment{{time.Second, 10, 10}},
			want: []Arrival{{0, 0, 0}, {1, 100 * ms, 0}, {2, 200 * ms, 0}, {3, 300 * ms, 0}, {4, 400 * ms, 0},
				{5, 500 * ms, 0}, {6, 600 * ms, 0}, {7, 700 * ms, 0}, {8, 800 * ms, 0}, {9, 900 * ms, 0}},
		},
		{
			// step 2 rps then 4 rps, 1 s each: Λ = 2 at the boundary, so
			// arrival 2 is exactly at 1 s and belongs to stage 2; then every 250 ms.
			name: "step boundary",
			segs: []Segment{{time.Second, 2, 2}, {time.Second, 4, 4}},
			want: []Arrival{{0, 0, 0}, {1, 500 * ms, 0}, {2, 1000 * ms, 1}, {3, 1250 * ms, 1}, {4, 1500 * ms, 1}, {5, 1750 * ms, 1}},
		},
		{
			// spike: 1 rps for 2 s, 10 rps for 0.5 s, 1 rps for 1.5 s.
			// Λ at the boundaries: 2, 7, 8.5 → arrivals 0,1 | 2..6 every 100 ms from 2 s | 7 at 2.5 s, 8 at 3.5 s.
			name: "spike boundaries",
			segs: []Segment{{2 * time.Second, 1, 1}, {500 * ms, 10, 10}, {1500 * ms, 1, 1}},
			want: []Arrival{{0, 0, 0}, {1, time.Second, 0}, {2, 2 * time.Second, 1}, {3, 2100 * ms, 1}, {4, 2200 * ms, 1},
				{5, 2300 * ms, 1}, {6, 2400 * ms, 1}, {7, 2500 * ms, 2}, {8, 3500 * ms, 2}},
		},
		{
			// ramp 1→3 rps over 2 s: Λ(t) = t + t²/2, Λ(2) = 4, so arrival u is at
			// t = √(1+2u) − 1: 0, 0.732051, 1.236068, 1.645751 s.
			name: "ramp",
			segs: []Segment{{2 * time.Second, 1, 3}},
			want: []Arrival{{0, 0, 0}, {1, 732050808, 0}, {2, 1236067977, 0}, {3, 1645751311, 0}},
		},
		{
			// falling ramp 3→1 rps over 2 s: Λ(t) = 3t − t²/2, so t = 3 − √(9−2u):
			// 0, 0.354249, 0.763932, 1.267949 s.
			name: "falling ramp",
			segs: []Segment{{2 * time.Second, 3, 1}},
			want: []Arrival{{0, 0, 0}, {1, 354248689, 0}, {2, 763932023, 0}, {3, 1267949192, 0}},
		},
		{
			// the ramp 1→3 rps after 1 s at 2 rps: Λ = 2 at 1 s, then the
			// ramp's times shifted by its start, 1 s + √(1+2u) − 1.
			name: "ramp after a stage",
			segs: []Segment{{time.Second, 2, 2}, {2 * time.Second, 1, 3}},
			want: []Arrival{{0, 0, 0}, {1, 500 * ms, 0}, {2, time.Second, 1}, {3, 1732050808, 1}, {4, 2236067977, 1}, {5, 2645751311, 1}},
		},
		{
			// 2 + 1e-10 rps for 1 s: arrival 2 falls at 2/(2 + 1e-10) s =
			// 0.99999999995 s, which rounds to the segment's end; it stays
			// inside, 1 ns before the end.
			name: "rounding at the edge",
			segs: []Segment{{time.Second, 2 + 1e-10, 2 + 1e-10}},
			want: []Arrival{{0, 0, 0}, {1, 500 * ms, 0}, {2, time.Second - 1, 0}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := all(t, mustNew(t, tt.segs, Uniform, 1, Shard{}))
			if len(got) != len(tt.want) {
				t.Fatalf("got %d arrivals %v, want %d", len(got), got, len(tt.want))
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("arrival %d = %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
}

// TestUniformNoDrift: one hour at 1000 rps; the last arrival is exactly at
// (3.6e6 − 1)/1000 s, to the nanosecond, and there are exactly 3.6e6.
func TestUniformNoDrift(t *testing.T) {
	s := mustNew(t, []Segment{{time.Hour, 1000, 1000}}, Uniform, 1, Shard{})
	var n int64
	var last Arrival
	for {
		a, ok := s.Next()
		if !ok {
			break
		}
		last = a
		n++
	}
	if n != 3_600_000 || last.At != time.Hour-ms {
		t.Fatalf("n = %d, last = %s", n, last.At)
	}
}

func TestPoissonReproducible(t *testing.T) {
	segs := []Segment{{2 * time.Second, 500, 500}}
	a := all(t, mustNew(t, segs, Poisson, 42, Shard{}))
	b := all(t, mustNew(t, segs, Poisson, 42, Shard{}))
	c := all(t, mustNew(t, segs, Poisson, 43, Shard{}))
	if len(a) != len(b) {
		t.Fatal("same seed, different lengths")
	}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed differs at %d", i)
		}
	}
	same := len(a) == len(c)
	for i := 0; same && i < len(a); i++ {
		same = a[i] == c[i]
	}
	if same {
		t.Fatal("different seeds gave the same schedule")
	}
}

// TestPoissonStatistics checks counts per stage and the gap SCV against
// theory. Tolerances come from the sampling distributions: a stage's count
// is Poisson(Λ), so |n − Λ| < 4√Λ (fails with probability < 1e-4 per stage).
// The SCV ĉ² = s²/x̄² of n exponential gaps has standard error 2/√n, by the
// delta method (Casella & Berger, Statistical Inference, 2nd ed., 2002,
// §5.5.4): for Exp(1), Var(s²) ≈ (μ₄ − σ⁴)/n = 8/n, Var(x̄) = 1/n and
// Cov(s², x̄) ≈ μ₃/n = 2/n; with ∂ĉ²/∂s² = 1 and ∂ĉ²/∂x̄ = −2 at the
// mean, Var(ĉ²) ≈ (8 + 4·1 − 2·2·2)/n = 4/n. (√(8/n) would be the standard
// error of s² alone.) So |SCV − 1| < 4·2/√n, again a 4σ bound. The seed is
// fixed, so the test is deterministic; the bounds say it is not lucky.
func TestPoissonStatistics(t *testing.T) {
	segs := []Segment{{10 * time.Second, 200, 200}, {10 * time.Second, 1000, 1000}, {10 * time.Second, 100, 1900}}
	s := mustNew(t, segs, Poisson, 7, Shard{})
	got := all(t, s)
	counts := make([]float64, len(segs))
	var gaps []float64
	for i, a := range got {
		counts[a.Stage]++
		if i > 0 && a.Stage == 1 && got[i-1].Stage == 1 {
			gaps = append(gaps, (a.At - got[i-1].At).Seconds())
		}
		if i > 0 && a.At < got[i-1].At {
			t.Fatalf("arrivals out of order at %d", i)
		}
		if start, end := s.StageBounds(a.Stage); a.At < start || a.At >= end {
			t.Fatalf("arrival %v outside its stage [%s, %s)", a, start, end)
		}
	}
	for i, want := range []float64{2000, 10000, 10000} { // Λ per stage: 200·10, 1000·10, (100+1900)/2·10
		if math.Abs(counts[i]-want) > 4*math.Sqrt(want) {
			t.Errorf("stage %d: %g arrivals, want %g ± %.0f", i+1, counts[i], want, 4*math.Sqrt(want))
		}
	}
	scv := scvOf(gaps)
	if tol := 4 * 2 / math.Sqrt(float64(len(gaps))); math.Abs(scv-1) > tol {
		t.Errorf("gap SCV = %.4f, want 1 ± %.4f", scv, tol)
	}
}

func scvOf(xs []float64) float64 {
	var m, m2 float64
	for _, x := range xs {
		m += x
	}
	m /= float64(len(xs))
	for _, x := range xs {
		m2 += (x - m) * (x - m)
	}
	return m2 / float64(len(xs)-1) / (m * m)
}

// TestShardsPartitionThePlan: the N shards' arrivals are disjoint and their
// union is exactly the one-process schedule, for both processes.
func TestShardsPartitionThePlan(t *testing.T) {
	segs := []Segment{{time.Second, 300, 300}, {time.Second, 100, 700}}
	for _, k := range []Kind{Uniform, Poisson} {
		whole := all(t, mustNew(t, segs, k, 9, Shard{}))
		const n = 4
		merged := map[int64]Arrival{}
		for i := 1; i <= n; i++ {
			part := all(t, mustNew(t, segs, k, 9, Shard{i, n}))
			// Each shard gets about 1/N: for uniform exactly ⌊·⌋ or ⌈·⌉;
			// for Poisson a Binomial(len, 1/N) share, within 5 sd.
			want := float64(len(whole)) / n
			sd := math.Sqrt(float64(len(whole)) * (1.0 / n) * (1 - 1.0/n))
			if k == Uniform {
				sd = 0.2
			}
			if math.Abs(float64(len(part))-want) > 5*sd+1 {
				t.Errorf("%v shard %d: %d arrivals, want %.0f", k, i, len(part), want)
			}
			for _, a := range part {
				if _, dup := merged[a.Seq]; dup {
					t.Fatalf("%v: arrival %d in two shards", k, a.Seq)
				}
				merged[a.Seq] = a
			}
		}
		if len(merged) != len(whole) {
			t.Fatalf("%v: union has %d arrivals, whole plan %d", k, len(merged), len(whole))
		}
		for _, a := range whole {
			if merged[a.Seq] != a {
				t.Fatalf("%v: arrival %d differs: %+v vs %+v", k, a.Seq, merged[a.Seq], a)
			}
		}
	}
}

// TestPoissonStartsAtAnExponentialTime: a Poisson process has no arrival at
// 0; the first is at E₁/λ, E₁ the random source's first exponential draw.
func TestPoissonStartsAtAnExponentialTime(t *testing.T) {
	s := mustNew(t, []Segment{{time.Second, 100, 100}}, Poisson, 5, Shard{})
	a, ok := s.Next()
	want := time.Duration(math.Round(NewRand(5).ExpFloat64() / 100 * 1e9))
	if !ok || a.At != want || a.At == 0 {
		t.Errorf("first Poisson arrival at %v, want E₁/λ = %v", a.At, want)
	}
}

func TestKindAndDuration(t *testing.T) {
	if Poisson.String() != "poisson" || Uniform.String() != "uniform" {
		t.Errorf("kinds print as %q and %q", Poisson, Uniform)
	}
	// Uniform arrivals need no random source.
	s, err := New([]Segment{{time.Second, 2, 2}, {2 * time.Second, 1, 1}}, Uniform, nil, 0, Shard{})
	if err != nil || s.Duration() != 3*time.Second || s.Stages() != 2 || len(all(t, s)) != 4 {
		t.Errorf("New(uniform, nil rng) = %v; duration %v", err, s.Duration())
	}
}

func TestExpected(t *testing.T) {
	s := mustNew(t, []Segment{{time.Second, 100, 100}, {2 * time.Second, 100, 300}}, Uniform, 1, Shard{2, 4})
	// Whole plan: Λ(1s) = 100, Λ(3s) = 100 + (100+300)/2·2 = 500; shard share is 1/4.
	if got := s.Expected(0, 3*time.Second); math.Abs(got-125) > 1e-9 {
		t.Errorf("Expected(0,3s) = %g", got)
	}
	// Λ(2s) = 100 + 100·1 + 200·1²/(2·2) = 250 → [1s,2s) has 150 → 37.5 for the shard.
	if got := s.Expected(time.Second, 2*time.Second); math.Abs(got-37.5) > 1e-9 {
		t.Errorf("Expected(1s,2s) = %g", got)
	}
	// A 4 s ramp 100→300 after 1 s at 100: Λ(1 s + x) = 100 + 100x + 25x²,
	// Λ(2.5 s) = 306.25 → 76.5625 for the shard.
	s = mustNew(t, []Segment{{time.Second, 100, 100}, {4 * time.Second, 100, 300}}, Uniform, 1, Shard{2, 4})
	if got := s.Expected(0, 2500*ms); math.Abs(got-76.5625) > 1e-9 {
		t.Errorf("Expected(0,2.5s) = %g, want 76.5625", got)
	}
}

func TestNewErrors(t *testing.T) {
	if _, err := New(nil, Uniform, nil, 0, Shard{}); err == nil {
		t.Error("no segments accepted")
	}
	for _, bad := range [][]Segment{{{time.Second, 0, 1}}, {{time.Second, 1, 0}}, {{0, 1, 1}}} {
		if _, err := New(bad, Uniform, nil, 0, Shard{}); err == nil || !strings.Contains(err.Error(), "segment 1:") {
			t.Errorf("New(%v) = %v, want an error naming segment 1", bad, err)
		}
	}
	if _, err := New([]Segment{{time.Second, 1, 1}, {time.Second, 1, math.Inf(1)}}, Uniform, nil, 0, Shard{}); err == nil || !strings.Contains(err.Error(), "segment 2:") {
		t.Errorf("an infinite rate in segment 2: %v", err)
	}
	if _, err := New([]Segment{{time.Second, 1, 1}}, Uniform, nil, 0, Shard{5, 4}); err == nil {
		t.Error("shard 5/4 accepted")
	}
	if _, err := New([]Segment{{time.Second, 1, 1}}, Poisson, nil, 0, Shard{}); err == nil {
		t.Error("poisson without rng accepted")
	}
}

func BenchmarkNextUniform(b *testing.B) {
	s := mustNew(b, []Segment{{1000 * time.Hour, 1e6, 1e6}}, Uniform, 1, Shard{})
	b.ReportAllocs()
	for b.Loop() {
		s.Next()
	}
}

func BenchmarkNextPoissonRamp(b *testing.B) {
	s := mustNew(b, []Segment{{1000 * time.Hour, 1e5, 1e6}}, Poisson, 1, Shard{})
	b.ReportAllocs()
	for b.Loop() {
		s.Next()
	}
}

// TestRateAt: the plan's rate and stage at a time, a ramp interpolated,
// a shard's share.
func TestRateAt(t *testing.T) {
	s, err := New([]Segment{{Duration: time.Second, From: 100, To: 100}, {Duration: 2 * time.Second, From: 100, To: 300}},
		Uniform, nil, 0, Shard{Index: 1, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at    time.Duration
		rate  float64
		stage int
	}{{0, 50, 0}, {999 * time.Millisecond, 50, 0}, {time.Second, 50, 1}, {2 * time.Second, 100, 1}, {5 * time.Second, 150, 1}} {
		if r, st := s.RateAt(c.at); math.Abs(r-c.rate) > 1e-9 || st != c.stage {
			t.Errorf("RateAt(%v) = %v, %d; want %v, %d", c.at, r, st, c.rate, c.stage)
		}
	}
}
