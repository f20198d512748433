package sizing

import (
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
)

// SLO is a response-time objective: the Quantile-quantile of the response
// time of admitted requests must be ≤ Target.
type SLO struct {
	Quantile float64 // p in (0, 1), e.g. 0.99
	Target   float64 // seconds, > 0
}

// SLOFrom reads an SLO from a gate (assert.Parse): a percentile of the
// response time (p99, p99.9; 2xx.p99 too: every response a sizing counts
// is an admitted request's) bounded from above (< or <=) by a positive
// duration, over the whole run. Errors quote the gate as written.
func SLOFrom(e assert.Expr) (SLO, error) {
	q, ok := e.Quantile()
	switch {
	case !ok || strings.HasPrefix(e.Metric, "service."):
		return SLO{}, fmt.Errorf("%q: an SLO for size is a percentile of the response time, like p99<50ms", e.Raw)
	case e.Op != "<" && e.Op != "<=":
		return SLO{}, fmt.Errorf("%q: an SLO bounds the percentile from above: use < or <=", e.Raw)
	case e.Scope.Kind != assert.Run:
		return SLO{}, fmt.Errorf("%q: a sizing has no stages or windows; drop \"in %s\"", e.Raw, e.Scope)
	case !(e.Value > 0):
		return SLO{}, fmt.Errorf("%q: the SLO must be a positive duration, like 50ms", e.Raw)
	}
	return SLO{Quantile: q, Target: e.Value}, nil
}

// String formats s as "p99 ≤ 50ms".
func (s SLO) String() string { return numfmt.Quantile(s.Quantile) + " ≤ " + numfmt.Seconds(s.Target) }

// Spec is the input of Size.
type Spec struct {
	Rate           float64   // offered arrival rate λ, requests/s
	Service        dist.Dist // service-time distribution of one request on one worker
	ArrivalSCV     float64   // ca²: 0 uniform (constant spacing), 1 Poisson, or the measured value
	SLO            SLO
	MaxReject      float64 // blocking target for the queue, in (0, 1), e.g. 0.001
	MaxUtilization float64 // ceiling on ρ = λ·E[S]/c, in (0, 1]; 0 or 1 means ρ < 1 (stability only)
	Workers        int     // > 0: keep this many workers and size only the queue
	SimArrivals    int     // arrivals per simulation (non-M/M cases); 0 means 200 000
}

// validate checks the spec's numbers and its service distribution, and
// returns the first problem.
func (spec Spec) validate() error {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	want := func(name string, v float64, ok bool, domain string) error {
		if ok {
			return nil
		}
		return fmt.Errorf("%s must be %s, got %g", name, domain, v)
	}
	for _, err := range []error{
		want("rate", spec.Rate, finite(spec.Rate) && spec.Rate > 0, "a finite number > 0"),
		spec.Service.Validate(),
		want("arrival SCV", spec.ArrivalSCV, finite(spec.ArrivalSCV) && spec.ArrivalSCV >= 0, "a finite number ≥ 0"),
		want("SLO quantile", spec.SLO.Quantile, spec.SLO.Quantile > 0 && spec.SLO.Quantile < 1, "in (0, 1)"),
		want("SLO target", spec.SLO.Target, finite(spec.SLO.Target) && spec.SLO.Target > 0, "a finite number > 0"),
		want("max reject", spec.MaxReject, spec.MaxReject > 0 && spec.MaxReject < 1, "in (0, 1)"),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}
