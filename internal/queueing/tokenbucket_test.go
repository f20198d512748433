package queueing

import (
	"math"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func TestTokenBucketUniform(t *testing.T) {
	for _, tt := range []struct {
		lambda, rate, burst, want float64
		why                       string
	}{
		{150, 200, 1, 0, "below the rate"},
		{300, 200, 20, 1.0 / 3, "1 − R/λ with room in the bucket"},
		{400, 200, 2, 0.5, "1 − R/λ, B = 2 ≥ 1 + r"},
		{300, 200, 1, 0.5, "B = 1: one admitted per ⌈λ/R⌉ = 2 arrivals"},
		{250, 200, 1, 0.5, "B = 1: ⌈1.25⌉ = 2"},
		{700, 200, 1, 0.75, "B = 1: ⌈3.5⌉ = 4"},
		{400, 200, 1, 0.5, "B = 1, λ/R whole: every second one"},
	} {
		if got := TokenBucketUniform(tt.lambda, tt.rate, tt.burst); math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: λ=%g R=%g B=%g: %g, want %g", tt.why, tt.lambda, tt.rate, tt.burst, got, tt.want)
		}
	}
	// Between B = 1 and 1 + r the iteration is checked against the
	// simulator on the same deterministic arrivals (no randomness: the
	// simulated ratio is exact up to its start-up, 1 arrival in 10^5).
	for _, b := range []float64{1.2, 1.5} {
		lambda, rate := 300.0, 200.0
		got := TokenBucketUniform(lambda, rate, b)
		res := simulate(t, SimConfig{Interarrival: dist.Dist{Kind: dist.Deterministic, Mean: 1 / lambda}, Service: dist.Dist{Kind: dist.Deterministic, Mean: 0.001},
			Servers: 1, TokenRate: rate, TokenBurst: b, Arrivals: 100_000}, 1)
		if math.Abs(res.LimitRatio.Value-got) > 1e-4 {
			t.Errorf("B=%g: iterated %g, simulated %g", b, got, res.LimitRatio.Value)
		}
		// The iteration counts whole refusals over 2^16 arrivals.
		if !(got >= TokenBucketFloor(lambda, rate)-1.0/(1<<16)) {
			t.Errorf("B=%g: %g below the floor %g", b, got, TokenBucketFloor(lambda, rate))
		}
	}
	if !math.IsNaN(TokenBucketUniform(300, 200, 0.5)) || !math.IsNaN(TokenBucketFloor(0, 1)) {
		t.Error("invalid input should give NaN")
	}
}

func TestTokenBucketPoisson(t *testing.T) {
	// Poisson arrivals: the refused fraction lies above the floor 1 − R/λ
	// and falls towards it as the burst grows. The bucket's token deficit
	// is the workload of an M/D/1 queue that refuses work beyond (B−1)/R,
	// so with B = 1 it is exactly the M/D/1/1 loss system's: an arrival is
	// refused iff the last admission was less than 1/R ago, which for
	// Poisson arrivals gives 1 − 1/(1 + λ/R) (a renewal cycle is 1/R of
	// refusal plus an exponential 1/λ wait).
	lambda, rate := 300.0, 200.0
	prev := 1.0
	for _, b := range []float64{1, 2, 5, 50} {
		res := simulate(t, SimConfig{Interarrival: dist.Dist{Kind: dist.Exponential, Mean: 1 / lambda}, Service: dist.Dist{Kind: dist.Deterministic, Mean: 0.001},
			Servers: 1, TokenRate: rate, TokenBurst: b, Arrivals: 400_000}, 3)
		v := res.LimitRatio
		if b == 1 {
			agree(t, "B=1 Poisson", v, 1-1/(1+lambda/rate), 0.02)
		}
		if !(v.Value < prev && v.Value > TokenBucketFloor(lambda, rate)-3*v.HalfWidth) {
			t.Errorf("B=%g: refused %v, want below %g and at or above the floor %g", b, v, prev, TokenBucketFloor(lambda, rate))
		}
		prev = v.Value
	}
}
