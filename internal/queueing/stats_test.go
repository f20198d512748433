package queueing

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestSamplesForQuantileSheet(t *testing.T) {
	// docs/queueing.md §8 table, 95% confidence, exponential tail: the
	// order-statistic interval of G.J. Hahn & W.Q. Meeker, Statistical
	// Intervals, Wiley, 1991, solved for n.
	for _, tt := range []struct {
		p, eps float64
		want   int
	}{
		{0.99, 0.10, 1794}, {0.99, 0.05, 7173}, {0.99, 0.02, 44832},
		{0.999, 0.10, 8043}, {0.999, 0.05, 32170}, {0.9999, 0.05, 181118},
	} {
		if got := SamplesForQuantile(tt.p, tt.eps, 0.95); got != tt.want {
			t.Errorf("SamplesForQuantile(%g, %g) = %d, sheet says %d", tt.p, tt.eps, got, tt.want)
		}
	}
	for _, bad := range [][3]float64{{1, 0.1, 0.95}, {0.99, 0, 0.95}, {0.99, 0.1, 1}, {math.NaN(), 0.1, 0.95}} {
		if n := SamplesForQuantile(bad[0], bad[1], bad[2]); n != 0 {
			t.Errorf("SamplesForQuantile(%v) = %d, want 0", bad, n)
		}
	}
}

func TestSamplesForQuantileCoverage(t *testing.T) {
	// docs/queueing.md §8: "with 7 173 iid exponential samples, 95.3% of 300 replications
	// landed within ±5%". We repeat it (fixed seed): the fraction within ±5%
	// of the true p99 must be 0.95 within 3 binomial standard deviations,
	// 3·√(0.95·0.05/300) = 0.038.
	if testing.Short() {
		t.Skip("2M samples")
	}
	r := rand.New(rand.NewPCG(99, 1))
	n := SamplesForQuantile(0.99, 0.05, 0.95)
	truth := math.Log(100) // p99 of Exp(1)
	xs := make([]float64, n)
	hits := 0
	const reps = 300
	for range reps {
		for i := range xs {
			xs[i] = r.ExpFloat64()
		}
		q := quantilesOf(xs, []float64{0.99})[0]
		if math.Abs(q/truth-1) <= 0.05 {
			hits++
		}
	}
	checkAbs(t, "coverage", float64(hits)/reps, 0.95, 3*math.Sqrt(0.95*0.05/reps))
}

func TestStudentT(t *testing.T) {
	// Published two-sided 95% critical values of Student's t (any t table,
	// e.g. NIST/SEMATECH e-Handbook §1.3.6.7.2): df 1, 4, 19, 29; and z.
	checkPrinted(t, "t(1)", StudentT(0.95, 1), 1, "12.706")
	checkPrinted(t, "t(4)", StudentT(0.95, 4), 1, "2.776")
	checkPrinted(t, "t(19)", StudentT(0.95, 19), 1, "2.093")
	checkPrinted(t, "t(29)", StudentT(0.95, 29), 1, "2.045")
	checkPrinted(t, "z", NormalZ(0.95), 1, "1.959964")
	checkPrinted(t, "z99", NormalZ(0.99), 1, "2.575829")
	if !math.IsNaN(StudentT(1, 5)) || !math.IsNaN(StudentT(0.95, 0)) || !math.IsNaN(NormalZ(0)) {
		t.Error("invalid input should give NaN")
	}
}

func TestBatchMeans(t *testing.T) {
	// Hand computation: batches 1..5: mean 3, sd √2.5, half-width
	// t(4)·√2.5/√5 = 2.776445·0.7071068 = 1.963243.
	e, err := BatchMeans([]float64{1, 2, 3, 4, 5}, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	checkRel(t, "mean", e.Value, 3, 1e-15)
	checkRel(t, "half-width", e.HalfWidth, StudentT(0.95, 4)*math.Sqrt(2.5)/math.Sqrt(5), 1e-14)
	checkPrinted(t, "half-width", e.HalfWidth, 1, "1.963")
	if !e.Contains(4.9, 0) || e.Contains(5.0, 0) {
		t.Errorf("Contains: %v", e)
	}
	for _, bad := range [][]float64{nil, {1}, {1, math.NaN()}, {1, math.Inf(1)}} {
		if _, err := BatchMeans(bad, 0.95); err == nil {
			t.Errorf("BatchMeans(%v) succeeded", bad)
		}
	}
	if _, err := BatchMeans([]float64{1, 2}, 1.5); err == nil {
		t.Error("level 1.5 accepted")
	}
}

func TestQuantileCI(t *testing.T) {
	// n = 100, p = 0.5, 95%: np = 50, z√(np(1−p)) = 9.80 → ranks
	// l = ⌊40.2⌋ = 40, u = ⌈59.8⌉ + 1 = 61 (docs/queueing.md §8 formula, by hand).
	xs := make([]float64, 100)
	for i := range xs {
		xs[i] = float64(i + 1)
	}
	lo, hi, err := QuantileCI(xs, 0.5, 0.95)
	if err != nil || lo != 40 || hi != 61 {
		t.Errorf("QuantileCI = %g, %g, %v; want 40, 61", lo, hi, err)
	}
	// Clamped at the top: p99 of 100 samples.
	if _, hi, _ := QuantileCI(xs, 0.99, 0.95); hi != 100 {
		t.Errorf("clamped hi = %g", hi)
	}
	// Coverage, fixed seed: 1000 replications of 2000 exponential samples;
	// the interval is conservative, so it must cover the true p90 at least
	// 95% − 3 binomial SD (3·√(0.95·0.05/1000) = 2.1%) of the time.
	r := rand.New(rand.NewPCG(5, 5))
	truth := math.Log(10)
	ys := make([]float64, 2000)
	cover := 0
	for range 1000 {
		for i := range ys {
			ys[i] = r.ExpFloat64()
		}
		slices.Sort(ys)
		lo, hi, _ := QuantileCI(ys, 0.9, 0.95)
		if lo <= truth && truth <= hi {
			cover++
		}
	}
	if frac := float64(cover) / 1000; frac < 0.95-0.021 {
		t.Errorf("coverage %g < 0.929", frac)
	}
	if _, _, err := QuantileCI([]float64{2, 1}, 0.5, 0.95); err == nil {
		t.Error("unsorted accepted")
	}
	if _, _, err := QuantileCI(nil, 0.5, 0.95); err == nil {
		t.Error("empty accepted")
	}
}

func TestSampleQuantileAndSelect(t *testing.T) {
	// quantilesOf (selection) must equal SampleQuantile on the sorted copy,
	// including heavy ties and tiny slices.
	r := rand.New(rand.NewPCG(3, 4))
	ps := []float64{0.001, 0.1, 0.5, 0.9, 0.99, 0.999}
	for _, n := range []int{1, 2, 3, 17, 100, 1001, 50_000} {
		for _, ties := range []bool{false, true} {
			xs := make([]float64, n)
			for i := range xs {
				xs[i] = r.ExpFloat64()
				if ties {
					xs[i] = math.Floor(xs[i] * 3)
				}
			}
			sorted := slices.Sorted(slices.Values(xs))
			got := quantilesOf(xs, ps)
			for i, p := range ps {
				if want := SampleQuantile(sorted, p); got[i] != want {
					t.Errorf("n=%d ties=%v p=%g: select %g, sort %g", n, ties, p, got[i], want)
				}
			}
		}
	}
	if !math.IsNaN(SampleQuantile(nil, 0.5)) || !math.IsNaN(quantilesOf(nil, []float64{0.5})[0]) {
		t.Error("empty sample should give NaN")
	}
}

func TestRelaxationTimeSheet(t *testing.T) {
	// docs/queueing.md §8: 0.12, 0.90, 3.8 and 15.6 s at ρ = 0.5, 0.8, 0.9, 0.95, μ = 100/s,
	// from 1/(μ(1−√ρ)²) (P.M. Morse, "Stochastic properties of waiting
	// lines", J. Oper. Res. Soc. America 3(3):255–261, 1955).
	for _, tt := range []struct {
		rho  float64
		want string
	}{{0.5, "0.12"}, {0.8, "0.90"}, {0.9, "3.8"}, {0.95, "15.6"}} {
		checkPrinted(t, "relaxation", RelaxationTimeMM1(tt.rho*100, 100), 1, tt.want)
	}
	if !math.IsInf(RelaxationTimeMM1(100, 100), 1) || !math.IsNaN(RelaxationTimeMM1(1, 0)) {
		t.Error("ρ ≥ 1 or invalid")
	}
}
