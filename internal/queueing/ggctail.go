package queueing

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// GGcApprox is the G/G/c response-time heuristic of docs/queueing.md §4 ("Tails
// for G/G/c", ggc_resp_quantile_approx): P(Wq > 0) ≈ C(c, a); given a wait,
// Wq is exponential with mean E[Wq]/C, where E[Wq] is Whitt's approximation;
// T = Wq + S with S convolved using its own distribution. It is exact for
// M/M/c. Measured p99 errors against simulation: −2% to +5% (M/D/8 +5.2%,
// D/M/8 −1.0%, D/LN(0.5)/10 −0.2%).
type GGcApprox struct {
	service  dist.Dist
	waitProb float64 // C(c, a)
	meanWait float64 // Whitt E[Wq], seconds
	rate     float64 // C/E[Wq]: decay rate of the conditional wait
}

// NewGGcApprox returns the heuristic for arrival rate lambda (per second),
// c workers, service distribution service and arrival SCV ca2 (0 uniform,
// 1 Poisson, or the measured value). It needs ρ < 1.
func NewGGcApprox(lambda float64, c int, service dist.Dist, ca2 float64) (*GGcApprox, error) {
	if err := service.Validate(); err != nil {
		return nil, err
	}
	q := GG{Lambda: lambda, Servers: c, MeanService: service.Mean, ArrivalSCV: ca2, ServiceSCV: service.SCV()}
	w, err := Whitt(q)
	if err != nil {
		return nil, fmt.Errorf("G/G/c approximation: %w", err)
	}
	g := &GGcApprox{service: service, waitProb: ErlangC(c, q.Load()), meanWait: w}
	if g.waitProb > 0 && w > 0 {
		g.rate = g.waitProb / w
	} else {
		g.waitProb = 0
	}
	return g, nil
}

// WaitProb is the approximate P(Wq > 0) = C(c, a).
func (g *GGcApprox) WaitProb() float64 { return g.waitProb }

// MeanWait is Whitt's E[Wq], seconds.
func (g *GGcApprox) MeanWait() float64 { return g.meanWait }

// MeanResponse is E[Wq] + E[S], seconds.
func (g *GGcApprox) MeanResponse() float64 { return g.meanWait + g.service.Mean }

// ResponseTail is the approximate P(T > t) = (1−C)·P(S > t) + C·P(E + S > t),
// E ~ Exp(C/E[Wq]).
func (g *GGcApprox) ResponseTail(t float64) float64 {
	if g.waitProb == 0 {
		return g.service.Tail(t)
	}
	return (1-g.waitProb)*g.service.Tail(t) + g.waitProb*g.service.ExpPlusTail(g.rate, t)
}

// ResponseQuantile is the approximate p-quantile of T in seconds, by
// bisection on ResponseTail; p in (0, 1), else NaN.
func (g *GGcApprox) ResponseQuantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	return invertTail(g.ResponseTail, 1-p, g.service.Mean)
}
