package sizing

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

func mustMMCD(t testing.TB, lambda, mu float64, c int, d float64) *queueing.MMCD {
	t.Helper()
	m, err := queueing.NewMMCD(lambda, mu, c, d)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func checkRelShed(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.10g, want %.10g (±%g)", name, got, want, rel)
	}
}

// Timeout's answer is checked against the model it is built on
// (MMCD, itself checked against Boots & Tijms 1999): at the recommended D
// the timed-out fraction meets the limit and just below D it does not; the
// served p99 meets the SLO; one worker fewer cannot.
func TestSizeTimeoutExact(t *testing.T) {
	spec := Spec{Rate: 900, Service: dist.Dist{Kind: dist.Exponential, Mean: 0.010}, ArrivalSCV: 1,
		SLO: SLO{Quantile: 0.99, Target: 0.050}, MaxReject: 0.001}
	z, err := Timeout(spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !z.Feasible || z.Method != "exact" {
		t.Fatalf("%+v", z)
	}
	m := mustMMCD(t, 900, 100, z.Workers, z.Timeout)
	if m.AbandonProb() > 0.001 || mustMMCD(t, 900, 100, z.Workers, 0.99*z.Timeout).AbandonProb() <= 0.001 {
		t.Errorf("c=%d D=%.4g: abandon %.4g; at 0.99·D %.4g: D is not the shortest", z.Workers, z.Timeout, m.AbandonProb(), mustMMCD(t, 900, 100, z.Workers, 0.99*z.Timeout).AbandonProb())
	}
	if p := m.ResponseQuantile(0.99); p > 0.050 || math.Abs(p-z.ResponseSLO.Value) > 1e-12 {
		t.Errorf("served p99 %.4g (reported %.4g), SLO 50 ms", p, z.ResponseSLO.Value)
	}
	if !(z.MaxTimeout >= z.Timeout) {
		t.Errorf("max timeout %.4g below the timeout %.4g", z.MaxTimeout, z.Timeout)
	}
	fewer := spec
	fewer.Workers = z.Workers - 1
	if zf, err := Timeout(fewer, nil); err != nil || zf.Feasible {
		t.Errorf("%d workers also feasible: %+v, %v", fewer.Workers, zf, err)
	}
	// The service alone breaking the SLO is explained, not searched.
	slow := spec
	slow.SLO.Target = 0.020 // exp(10 ms) has p99 46 ms
	if zs, err := Timeout(slow, nil); err != nil || zs.Feasible || zs.Reason == "" {
		t.Errorf("service alone over the SLO: %+v, %v", zs, err)
	}
}

// Non-exponential service is simulated; the answer meets the objectives
// within the simulation's interval.
func TestSizeTimeoutSimulated(t *testing.T) {
	spec := Spec{Rate: 600, Service: dist.Dist{Kind: dist.Deterministic, Mean: 0.010}, ArrivalSCV: 1,
		SLO: SLO{Quantile: 0.99, Target: 0.040}, MaxReject: 0.01, SimArrivals: 50_000}
	z, err := Timeout(spec, rand.New(rand.NewPCG(1, 2)))
	if err != nil {
		t.Fatal(err)
	}
	if !z.Feasible || z.Method != "simulation" || z.Model != "M/D/c+D" || z.Abandon.Value > 0.01 || z.ResponseSLO.Value > 0.040 {
		t.Errorf("%+v", z)
	}
}

// MaxRateForSLO: at the rate returned the exact M/M/c p99 equals the SLO.
func TestMaxRateForSLO(t *testing.T) {
	slo := SLO{Quantile: 0.99, Target: 0.050}
	lambda, err := MaxRateForSLO(8, dist.Dist{Kind: dist.Exponential, Mean: 0.010}, 1, slo, 1)
	if err != nil {
		t.Fatal(err)
	}
	q, err := queueing.NewMMC(lambda, 100, 8)
	if err != nil {
		t.Fatal(err)
	}
	checkRelShed(t, "p99 at the max rate", q.ResponseQuantile(0.99), 0.050, 1e-6)
	// A utilisation ceiling below that binds instead.
	capped, _ := MaxRateForSLO(8, dist.Dist{Kind: dist.Exponential, Mean: 0.010}, 1, slo, 0.5)
	checkRelShed(t, "capped", capped, 400*(1-1e-9), 1e-9)
	if v, _ := MaxRateForSLO(8, dist.Dist{Kind: dist.Exponential, Mean: 0.010}, 1, SLO{Quantile: 0.99, Target: 0.020}, 1); v != 0 {
		t.Errorf("an SLO below the service's own p99 gave %g", v)
	}
}
