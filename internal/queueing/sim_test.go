package queueing

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// agree checks a simulated estimate against an exact value.
//
// Tolerance: 3 batch-means half-widths. A half-width is t_{19,0.975} = 2.09
// standard errors, so 3 of them are about 6 SE: with an honest interval a
// fixed-seed run fails with probability ~1e-9 per comparison. The margin
// beyond the nominal 95% is there because 20 batch means still
// underestimate the standard error when consecutive batches are correlated
// (heavy traffic, extreme quantiles); the sheet's self-test uses the same 3×
// (§10). Checked when this was written: over 40 seeds of the M/M/8/16 and
// M/M/8 cases below, the worst deviation was 2.3 half-widths (M/M/8 p99 at
// ρ = 0.875, where the 95% interval covered only ~78% of the time).
// To keep the test meaningful the half-width itself must be below
// maxRel of the exact value: a simulator that only produced wide intervals
// would fail.
func agree(t *testing.T, name string, est Estimate, exact, maxRel float64) {
	t.Helper()
	if !(est.HalfWidth <= maxRel*math.Abs(exact)) {
		t.Errorf("%s: half-width %.3g is above %.3g of the exact %.6g: the run is too short to test anything", name, est.HalfWidth, maxRel, exact)
	}
	if !est.Contains(exact, 2*est.HalfWidth) {
		t.Errorf("%s: simulated %.6g ± %.3g, exact %.6g (off by %.2f half-widths)", name, est.Value, est.HalfWidth, exact, math.Abs(est.Value-exact)/est.HalfWidth)
	}
}

func simulate(t *testing.T, cfg SimConfig, seed uint64) *SimResult {
	t.Helper()
	res, err := Simulate(cfg, rand.New(rand.NewPCG(seed, 0x5eed)))
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func expDist(mean float64) dist.Dist { return dist.Dist{Kind: dist.Exponential, Mean: mean} }

func TestSimMMCK(t *testing.T) {
	// Against the exact M/M/8/16 of docs/queueing.md §10 table 1 (λ = 900, ρ = 1.125).
	m := mustMMCK(t, 900, 100, 8, 16)
	ps := []float64{0.5, 0.9, 0.99, 0.999}
	res := simulate(t, SimConfig{
		Interarrival: expDist(1.0 / 900), Service: expDist(0.01),
		Servers: 8, Capacity: 16, Arrivals: 200_000,
		Quantiles: ps, WaitQuantiles: ps[:3], SLO: 0.05,
	}, 1)
	agree(t, "P_block", res.BlockRatio, m.BlockProb(), 0.05)
	agree(t, "throughput", res.Throughput, m.Throughput(), 0.01)
	agree(t, "L", res.MeanNumber, m.MeanNumber(), 0.02)
	agree(t, "W", res.MeanResponse, m.MeanResponse(), 0.02)
	agree(t, "Wq", res.MeanWait, m.MeanWait(), 0.03)
	agree(t, "P(wait)", res.WaitProb, m.WaitProb(), 0.02)
	agree(t, "P(T > 50ms)", res.SLOTail, m.ResponseTail(0.05), 0.1)
	for i, p := range ps {
		agree(t, fmt.Sprintf("p%g T", 100*p), res.ResponseQuantiles[i], m.ResponseQuantile(p), 0.05)
	}
	for i, p := range ps[:3] {
		agree(t, fmt.Sprintf("p%g Wq", 100*p), res.WaitQuantiles[i], m.WaitQuantile(p), 0.05)
	}
	// Little's law on the sample path: L̄ = X·W up to edge terms (§1).
	checkRel(t, "L/(X·W)", res.MeanNumber.Value/(res.Throughput.Value*res.MeanResponse.Value), 1, 1e-3)
	// PASTA: Poisson arrivals see the time average.
	agree(t, "number seen (PASTA)", res.NumberSeen, res.MeanNumber.Value, 0.02)
	if res.Arrivals != 200_000 || res.Blocked != int(math.Round(res.BlockRatio.Value*200_000)) {
		t.Errorf("counts: %d arrivals, %d blocked", res.Arrivals, res.Blocked)
	}
}

func TestSimMMCThetaEqualsMu(t *testing.T) {
	// Against exact M/M/8 at λ = 700 (θ = μ; docs/queueing.md §10 table 2), unbounded queue.
	m := mustMMC(t, 700, 100, 8)
	res := simulate(t, SimConfig{
		Interarrival: expDist(1.0 / 700), Service: expDist(0.01), Servers: 8,
		Arrivals: 200_000, Quantiles: []float64{0.5, 0.99}, WaitQuantiles: []float64{0.99}, SLO: 0.05,
	}, 2)
	agree(t, "C", res.WaitProb, m.WaitProb(), 0.03)
	agree(t, "E[Wq]", res.MeanWait, m.MeanWait(), 0.15)
	agree(t, "P(T > 50ms)", res.SLOTail, m.ResponseTail(0.05), 0.3)
	agree(t, "T p50", res.ResponseQuantiles[0], m.ResponseQuantile(0.5), 0.05)
	agree(t, "T p99", res.ResponseQuantiles[1], m.ResponseQuantile(0.99), 0.1)
	agree(t, "Wq p99", res.WaitQuantiles[0], m.WaitQuantile(0.99), 0.15)
	if res.BlockRatio.Value != 0 {
		t.Errorf("unbounded queue blocked %g", res.BlockRatio.Value)
	}
}

func TestSimSingleServerExact(t *testing.T) {
	// M/D/1 at ρ = 0.8: Pollaczek–Khinchine E[Wq] = ρ(1+cs²)E[S]/(2(1−ρ))
	// = 2·E[S] (F. Pollaczek, Math. Z. 32, 1930; A.Y. Khinchine, Mat. Sbornik
	// 39, 1932; docs/queueing.md §4, §10 table 3).
	res := simulate(t, SimConfig{
		Interarrival: expDist(1.0 / 80), Service: dist.Dist{Kind: dist.Deterministic, Mean: 0.01},
		Servers: 1, Arrivals: 200_000,
	}, 3)
	agree(t, "M/D/1 E[Wq]", res.MeanWait, 0.02, 0.1)
	agree(t, "M/D/1 P(wait) = ρ", res.WaitProb, 0.8, 0.02)

	// D/M/1 at ρ = 0.8: exact GI/M/1 (docs/queueing.md §4).
	g, err := NewDM1(80, 100)
	if err != nil {
		t.Fatal(err)
	}
	res = simulate(t, SimConfig{
		Interarrival: dist.Dist{Kind: dist.Deterministic, Mean: 1.0 / 80}, Service: expDist(0.01),
		Servers: 1, Arrivals: 200_000, Quantiles: []float64{0.99},
	}, 4)
	agree(t, "D/M/1 E[Wq]", res.MeanWait, g.MeanWait(), 0.1)
	agree(t, "D/M/1 P(wait) = σ", res.WaitProb, g.WaitProb(), 0.03)
	agree(t, "D/M/1 T p99", res.ResponseQuantiles[0], g.ResponseQuantile(0.99), 0.1)

	// M/M/1/10 in overload (ρ = 1.5): c = 1 path of the exact model.
	m := mustMMCK(t, 150, 100, 1, 10)
	res = simulate(t, SimConfig{
		Interarrival: expDist(1.0 / 150), Service: expDist(0.01),
		Servers: 1, Capacity: 10, Arrivals: 200_000, Quantiles: []float64{0.5, 0.99},
	}, 5)
	agree(t, "M/M/1/10 P_block", res.BlockRatio, m.BlockProb(), 0.03)
	agree(t, "M/M/1/10 W", res.MeanResponse, m.MeanResponse(), 0.02)
	agree(t, "M/M/1/10 T p99", res.ResponseQuantiles[1], m.ResponseQuantile(0.99), 0.03)
}

func TestSimPASTAFailsForUniformArrivals(t *testing.T) {
	// docs/queueing.md §1 / §10.6: D/M/8 at ρ = 0.85. Arrivals find fewer in
	// the system than the time average (PASTA needs Poisson arrivals):
	// exactly 7.4950 against 7.9876 (exactDMc), 6.17% fewer. Exact area
	// integration must still satisfy Little's law.
	res := simulate(t, SimConfig{
		Interarrival: dist.Dist{Kind: dist.Deterministic, Mean: 1.0 / 680}, Service: expDist(0.01),
		Servers: 8, Arrivals: 200_000,
	}, 6)
	checkRel(t, "L/(X·W)", res.MeanNumber.Value/(res.Throughput.Value*res.MeanResponse.Value), 1, 1e-3)
	l, seen := exactDMc(t, 680, 100, 8)
	agree(t, "D/M/8 L", res.MeanNumber, l, 0.02)
	agree(t, "D/M/8 number seen", res.NumberSeen, seen, 0.02)
	agree(t, "D/M/8 E[Wq]", res.MeanWait, l/680-0.01, 0.1)
	gap := 1 - res.NumberSeen.Value/res.MeanNumber.Value
	// The gap's relative error is at most the sum of both estimates'
	// relative half-widths, tripled as in agree.
	tol := 3 * (res.NumberSeen.HalfWidth/res.NumberSeen.Value + res.MeanNumber.HalfWidth/res.MeanNumber.Value)
	checkAbs(t, "PASTA gap", gap, 1-seen/l, tol)
	// Whitt's approximation is 0% off for D/M/8 in the sheet's table; here
	// it must agree within the interval (plus the sheet's 10% model band
	// would be far looser).
	w, _ := Whitt(GG{Lambda: 680, Servers: 8, MeanService: 0.01, ArrivalSCV: 0, ServiceSCV: 1})
	agree(t, "D/M/8 E[Wq] vs Whitt", res.MeanWait, w, 0.1)
}

func TestSimDeterministicAndCRN(t *testing.T) {
	cfg := SimConfig{
		Interarrival: dist.Gamma{Mean: 1.0 / 900, SCV: 0.3}, Service: dist.Dist{Kind: dist.Lognormal, Mean: 0.01, Sigma: 0.5},
		Servers: 10, Capacity: 20, Arrivals: 20_000, Quantiles: []float64{0.99},
	}
	a, b := simulate(t, cfg, 7), simulate(t, cfg, 7)
	if !reflect.DeepEqual(a, b) {
		t.Error("same seed, different results")
	}
	if c := simulate(t, cfg, 8); reflect.DeepEqual(a, c) {
		t.Error("different seeds, same results")
	}
	// Common random numbers: a larger K never blocks more on this path.
	cfg.Capacity = 30
	if d := simulate(t, cfg, 7); d.Blocked > a.Blocked {
		t.Errorf("K=30 blocked %d > K=20 blocked %d", d.Blocked, a.Blocked)
	}
}

func TestSimOverloadUnbounded(t *testing.T) {
	// ρ = 1.25 with no bound: nothing is rejected and the wait keeps growing,
	// so the later batches wait longer (no steady state, docs/queueing.md §9).
	res := simulate(t, SimConfig{
		Interarrival: expDist(1.0 / 1000), Service: expDist(0.01), Servers: 8,
		Arrivals: 20_000, Warmup: NoWarmup,
	}, 9)
	if res.Blocked != 0 || !(res.MeanWait.Value > 1) {
		t.Errorf("overload: blocked %d, mean wait %g s", res.Blocked, res.MeanWait.Value)
	}
}

func TestSimInvalid(t *testing.T) {
	good := SimConfig{Interarrival: expDist(0.01), Service: expDist(0.01), Servers: 2, Arrivals: 1000}
	r := rand.New(rand.NewPCG(1, 1))
	for name, mod := range map[string]func(*SimConfig){
		"no arrivals sampler": func(c *SimConfig) { c.Interarrival = nil },
		"no service sampler":  func(c *SimConfig) { c.Service = nil },
		"c = 0":               func(c *SimConfig) { c.Servers = 0 },
		"K < c":               func(c *SimConfig) { c.Capacity = 1 },
		"too few arrivals":    func(c *SimConfig) { c.Arrivals = 10 },
		"too many arrivals":   func(c *SimConfig) { c.Arrivals = maxSimArrivals },
		"1 batch":             func(c *SimConfig) { c.Batches = 1 },
		"level":               func(c *SimConfig) { c.Level = 2 },
		"quantile":            func(c *SimConfig) { c.Quantiles = []float64{1} },
		"wait quantile":       func(c *SimConfig) { c.WaitQuantiles = []float64{0} },
		"SLO":                 func(c *SimConfig) { c.SLO = math.NaN() },
		"warm-up":             func(c *SimConfig) { c.Warmup = -5 },
		"negative samples":    func(c *SimConfig) { c.Service = dist.Dist{Kind: dist.Deterministic, Mean: -1} },
	} {
		cfg := good
		mod(&cfg)
		if _, err := Simulate(cfg, r); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if _, err := Simulate(good, nil); err == nil {
		t.Error("nil rand: no error")
	}
	if _, err := Simulate(good, r); err != nil {
		t.Errorf("good config: %v", err)
	}
}
