package sizing

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func TestRecommend(t *testing.T) {
	// docs/queueing.md §6's worked example: 900 rps, exponential 10 ms,
	// Poisson arrivals, p99 ≤ 50 ms, rejects ≤ 0.1%: 11 workers, K = 33.
	spec := Spec{Rate: 900, Service: dist.Dist{Kind: dist.Exponential, Mean: 0.01}, ArrivalSCV: 1,
		SLO: SLO{Quantile: 0.99, Target: 0.05}, MaxReject: 0.001, MaxUtilization: 1}
	rng := func() *rand.Rand { return rand.New(rand.NewPCG(1, 0)) }
	a, err := Recommend(spec, "", rng())
	if err != nil || a.Mechanism != BoundedQueue || a.Queue == nil || a.Queue.Workers != 11 || a.Timeout != nil {
		t.Fatalf("bounded queue: %+v, %v", a, err)
	}
	if ok, why := a.Met(spec); !ok {
		t.Errorf("not met: %s", why)
	}
	if a, err = Recommend(spec, QueueTimeout, rng()); err != nil || a.Timeout == nil || a.Queue != nil {
		t.Fatalf("queue timeout: %+v, %v", a, err)
	}
	if _, err = Recommend(spec, RateLimit, rng()); !errors.Is(err, ErrNoWorkers) {
		t.Errorf("rate limit without workers: %v", err)
	}
	spec.Workers = 8
	if a, err = Recommend(spec, RateLimit, rng()); err != nil || !(a.Rate > 0 && a.Rate < 800) {
		t.Errorf("rate limit for 8 workers: %+v, %v", a, err)
	}
	// Infeasible: 8 workers cannot take 900 rps with rejects ≤ 0.1%; a
	// service slower than the SLO breaks it at any rate.
	if a, err = Recommend(spec, BoundedQueue, rng()); err != nil {
		t.Fatal(err)
	} else if ok, why := a.Met(spec); ok || !strings.HasPrefix(why, "the objectives cannot be met: ") {
		t.Errorf("8 workers at 900 rps: met %v, %q", ok, why)
	}
	spec.Service.Kind, spec.Service.Mean = dist.Deterministic, 0.06
	if a, err = Recommend(spec, RateLimit, rng()); err != nil {
		t.Fatal(err)
	} else if ok, why := a.Met(spec); ok || why != "the service time alone breaks p99 ≤ 50ms" {
		t.Errorf("60 ms service: rate %g, met %v, %q", a.Rate, ok, why)
	}
	if err := CheckMechanism("magic"); err == nil || err.Error() != `must be bounded-queue, queue-timeout or rate-limit, got "magic"` {
		t.Errorf("CheckMechanism: %v", err)
	}
}
