package sizing

import (
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

func sheetSpec() Spec {
	// Sheet §6.1/§6.2/§10.5: λ = 900/s, E[S] = 10 ms exponential, p99 ≤ 50 ms,
	// blocking ≤ 0.1%, Poisson arrivals.
	return Spec{Rate: 900, Service: dist.Dist{Kind: dist.Exponential, Mean: 0.01}, ArrivalSCV: 1, SLO: SLO{Quantile: 0.99, Target: 0.05}, MaxReject: 0.001}
}

func mustSize(t *testing.T, spec Spec) *Result {
	t.Helper()
	z, err := Size(spec, rand.New(rand.NewPCG(1, 1)))
	if err != nil {
		t.Fatal(err)
	}
	return z
}

func TestSizeSheetExact(t *testing.T) {
	z := mustSize(t, sheetSpec())
	if !z.Feasible || z.Workers != 11 || z.Capacity != 33 || z.Queue != 22 || z.Method != "exact" || z.Model != "M/M/c/K" {
		t.Fatalf("got %+v; sheet: c = 11, K_min_block = 33 (Q = 22), exact M/M/c/K", z)
	}
	printed(t, "unbounded p99", numfmt.Seconds(z.UnboundedSLO), "49.61ms")
	printed(t, "admitted p99 (K=33)", numfmt.Seconds(z.Predicted.ResponseP99.Value), "49.07ms")
	printed(t, "block", numfmt.Share(z.Predicted.BlockRatio.Value), "0.0951%")
	printed(t, "ρ", strconv.FormatFloat(z.Utilization, 'f', 3, 64), "0.818")
	b := z.Bounds
	if b.MinBlock != 33 || b.MaxMean != 55 || b.MaxWorst != 15 || b.MaxPct != Unbounded {
		t.Errorf("bounds %+v; sheet: K_min_block 33, K_max_mean 55, K_max_worst 15, K_max_pct unbounded", b)
	}
	if !(b.BlockBelow > 0.001) {
		t.Errorf("block at K = 32 is %g, want > 0.1%%", b.BlockBelow)
	}
	if !strings.Contains(z.Below, "10 workers") {
		t.Errorf("Below = %q", z.Below)
	}
	// Independent check of minimality: with 10 workers no K in the latency
	// budget has both P_block ≤ 0.1% and admitted p99 ≤ 50 ms.
	for k := 10; k <= z.Bounds.MaxMean; k++ {
		m, err := queueing.NewMMCK(900, 100, 10, k)
		if err != nil {
			t.Fatal(err)
		}
		if m.BlockProb() <= 0.001 && m.ResponseQuantile(0.99) <= 0.05 {
			t.Errorf("c = 10, K = %d meets both objectives", k)
		}
	}
}

func TestSizeSheetCombineInfeasible(t *testing.T) {
	// docs/queueing.md §6.2 "Combine": c = 10, λ = 900, P_block ≤ 1% needs K ≥ 29, but
	// the admitted p99 ≤ 50 ms needs K ≤ 21, so c = 10 is infeasible.
	spec := sheetSpec()
	spec.MaxReject, spec.Workers = 0.01, 10
	z := mustSize(t, spec)
	if z.Feasible || z.Bounds.MinBlock != 29 || z.Bounds.MaxPct != 21 {
		t.Errorf("got feasible=%v bounds %+v; want infeasible, K_min_block 29, K_max_pct 21", z.Feasible, z.Bounds)
	}
	for _, want := range []string{"K = 29", "K = 21", "52.55ms"} {
		if !strings.Contains(z.Reason, want) {
			t.Errorf("reason %q lacks %q", z.Reason, want)
		}
	}
	// Without fixing c, the answer is 11 workers.
	spec.Workers = 0
	if z := mustSize(t, spec); z.Workers != 11 {
		t.Errorf("1%%: %d workers, want 11", z.Workers)
	}
}

func TestSizeInfeasibleExplained(t *testing.T) {
	// docs/queueing.md §6.1 rule 4: lognormal σ = 1 with mean 10 ms has p99 62 ms, so
	// p99 ≤ 50 ms is infeasible with any c.
	spec := sheetSpec()
	spec.Service = dist.Dist{Kind: dist.Lognormal, Mean: 0.01, Sigma: 1}
	z := mustSize(t, spec)
	if z.Feasible || z.Workers != 0 || !strings.Contains(z.Reason, "service time alone") || !strings.Contains(z.Reason, "62.11ms") {
		t.Errorf("got %+v", z)
	}
	// Overload floor (docs/queueing.md §3, §6.2): 8 workers at λ = 900 reject ≥ 11.1%.
	spec = sheetSpec()
	spec.Workers = 8
	z = mustSize(t, spec)
	if z.Feasible || !strings.Contains(z.Reason, "11.1%") || !strings.Contains(z.Reason, "1 − 1/ρ") {
		t.Errorf("overload: %+v", z)
	}
	// Utilisation ceiling: 0.8 forces c ≥ 9/0.8 = 11.25 → 12.
	spec = sheetSpec()
	spec.MaxUtilization = 0.8
	if z := mustSize(t, spec); z.Workers != 12 || !strings.Contains(z.Below, "ceiling") {
		t.Errorf("ceiling 0.8: %d workers, below %q", z.Workers, z.Below)
	}
	// Exponential S: p99(S) = 46.05 ms, so p99 ≤ 46 ms is infeasible, 47 ms is not.
	spec = sheetSpec()
	spec.SLO.Target = 0.046
	if z := mustSize(t, spec); z.Feasible {
		t.Errorf("46ms: feasible with %d workers", z.Workers)
	}
	spec.SLO.Target = 0.047
	if z := mustSize(t, spec); !z.Feasible {
		t.Errorf("47ms: %s", z.Reason)
	}
}

func TestSizeSimulatedLognormalUniform(t *testing.T) {
	// docs/queueing.md §6.1 / §10.5: uniform arrivals and lognormal σ = 0.5 service give
	// c = 10 (ρ = 0.90); heuristic p99 29.15 ms, simulated 29.20 ± 0.15 ms.
	spec := sheetSpec()
	spec.ArrivalSCV = 0
	spec.Service = dist.Dist{Kind: dist.Lognormal, Mean: 0.01, Sigma: 0.5}
	z := mustSize(t, spec)
	if !z.Feasible || z.Workers != 10 || z.Method != "simulation" || z.Model != "D/LN/c/K" {
		t.Fatalf("got %+v", z)
	}
	printed(t, "heuristic p99", numfmt.Seconds(z.UnboundedSLO), "29.15ms")
	// Our simulation (finite K, 200k arrivals) against the sheet's simulated
	// 29.20 ms: within 3 of our half-widths plus the sheet's own 0.15 ms.
	p := z.Predicted.ResponseP99
	if tol := 3*p.HalfWidth + 0.00015; !(math.Abs(p.Value-0.02920) <= tol) {
		t.Errorf("simulated p99 %g, the sheet's 0.02920 ± %g", p.Value, tol)
	}
	if z.Predicted.BlockRatio.Value > 0.001 || z.Bounds.MinBlock != z.Capacity || z.Capacity > z.Bounds.MaxMean {
		t.Errorf("queue: %+v, bounds %+v", z.Predicted.BlockRatio, z.Bounds)
	}
	if z.HeuristicStart != 10 || z.Simulations == 0 || !strings.HasPrefix(z.Below, "9 workers") {
		t.Errorf("search: heuristic %d, %d simulations, below %q", z.HeuristicStart, z.Simulations, z.Below)
	}
	// Uniform arrivals block far less than M/M/c/K predicts (docs/queueing.md §3
	// caveat), so the simulated K is below the exact M/M/c/K K for c = 10.
	k, _ := queueing.MinBlockK(900, 100, 10, 0.001, 1000)
	if z.Capacity >= k {
		t.Errorf("simulated K %d not below the M/M/c/K %d", z.Capacity, k)
	}
}

func TestSizeArrivalAndServiceVariability(t *testing.T) {
	// The answer moves the way the simulator says: uniform arrivals need no
	// more workers than Poisson (11); burstier service (SCV 1.5 < p99 limit)
	// needs at least as many.
	spec := sheetSpec()
	spec.ArrivalSCV = 0
	uni := mustSize(t, spec)
	if !uni.Feasible || uni.Workers > 11 {
		t.Errorf("uniform arrivals: %+v", uni)
	}
	spec = sheetSpec()
	spec.Service = dist.Dist{Kind: dist.Deterministic, Mean: 0.01}
	det := mustSize(t, spec)
	if !det.Feasible || det.Workers > 11 || det.Model != "M/D/c/K" {
		t.Errorf("deterministic service: %+v", det)
	}
}

func TestSizeInvalid(t *testing.T) {
	for name, mod := range map[string]func(*Spec){
		"rate":        func(s *Spec) { s.Rate = 0 },
		"rate NaN":    func(s *Spec) { s.Rate = math.NaN() },
		"service":     func(s *Spec) { s.Service = dist.Dist{} },
		"arrival SCV": func(s *Spec) { s.ArrivalSCV = -1 },
		"quantile":    func(s *Spec) { s.SLO.Quantile = 1 },
		"target":      func(s *Spec) { s.SLO.Target = 0 },
		"max reject":  func(s *Spec) { s.MaxReject = 0 },
		"max util":    func(s *Spec) { s.MaxUtilization = 1.5 },
		"workers":     func(s *Spec) { s.Workers = -1 },
		"sim":         func(s *Spec) { s.SimArrivals = 10 },
		"huge load":   func(s *Spec) { s.Rate = 1e300 },
	} {
		spec := sheetSpec()
		mod(&spec)
		if _, err := Size(spec, nil); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	spec := sheetSpec()
	spec.ArrivalSCV = 0
	if _, err := Size(spec, nil); err == nil {
		t.Error("simulation without a random source: no error")
	}
	if _, err := Size(sheetSpec(), nil); err != nil {
		t.Errorf("exact case needs no random source: %v", err)
	}
}

func TestSLOString(t *testing.T) {
	if got := (SLO{0.99, 0.05}).String(); got != "p99 ≤ 50ms" {
		t.Errorf("got %q", got)
	}
}

// printed checks a value as the formula sheet prints it (docs/queueing.md
// §6, §10.5: four significant digits).
func printed(t *testing.T, name, got, sheet string) {
	t.Helper()
	if got != sheet {
		t.Errorf("%s prints %s, the sheet %s", name, got, sheet)
	}
}

// TestSLOFrom: which gates a sizing takes as its SLO, exactly as written.
func TestSLOFrom(t *testing.T) {
	for _, tt := range []struct {
		gate string
		want SLO
		err  string
	}{
		{"p99 < 50ms", SLO{0.99, 0.05}, ""},
		{"p99.9 <= 250ms in run", SLO{0.999, 0.25}, ""},
		{"2xx.p99 ≤ 80ms", SLO{0.99, 0.08}, ""},
		{"mean < 50ms", SLO{}, "a percentile of the response time"},
		{"service.p99 < 50ms", SLO{}, "a percentile of the response time"},
		{"ratio(503) < 1%", SLO{}, "a percentile of the response time"},
		{"p99 > 50ms", SLO{}, "use < or <="},
		{"p99 < 50ms in each stage", SLO{}, `drop "in each stage"`},
		{"p99 < 0s", SLO{}, "positive duration"},
	} {
		e, err := assert.Parse(tt.gate)
		if err != nil {
			t.Fatal(err)
		}
		got, err := SLOFrom(e)
		if got != tt.want || (err == nil) != (tt.err == "") || (err != nil && !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("SLOFrom(%q) = %+v, %v; want %+v, %q", tt.gate, got, err, tt.want, tt.err)
		}
	}
}
