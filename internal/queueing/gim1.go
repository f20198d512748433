package queueing

import (
	"fmt"
	"math"
)

// GIM1 is the exact GI/M/1 queue: renewal arrivals, one exponential worker,
// FCFS. Its state is σ, the root in (0, 1) of σ = A*(μ(1−σ)), where A* is the
// Laplace–Stieltjes transform of the inter-arrival time. Then P(Wq > 0) = σ,
// P(Wq > t) = σ·e^{−μ(1−σ)t}, and the response time is Exp(μ(1−σ)).
// Source: docs/queueing.md §4; L. Kleinrock, Queueing Systems Vol. 1, 1975, §6.
type GIM1 struct {
	mu, sigma float64
}

// NewDM1 returns the D/M/1 queue: constant inter-arrival gap 1/λ, for which
// A*(s) = e^{−s/λ} and σ = exp(−(1−σ)/ρ). Needs ρ = λ/μ < 1.
func NewDM1(lambda, mu float64) (*GIM1, error) {
	if err := checkPositive("D/M/1: arrival rate", lambda); err != nil {
		return nil, err
	}
	return NewGIM1(mu, 1/lambda, func(s float64) float64 { return math.Exp(-s / lambda) })
}

// NewGIM1 returns the GI/M/1 queue with service rate mu, mean inter-arrival
// time meanGap seconds, and the inter-arrival LST lst(s) = E[e^{−sA}]
// (decreasing, lst(0) = 1). Needs ρ = 1/(μ·meanGap) < 1.
func NewGIM1(mu, meanGap float64, lst func(s float64) float64) (*GIM1, error) {
	if err := checkPositive("GI/M/1: service rate", mu); err != nil {
		return nil, err
	}
	if err := checkPositive("GI/M/1: mean inter-arrival time", meanGap); err != nil {
		return nil, err
	}
	if rho := 1 / (mu * meanGap); !(rho < 1) {
		return nil, fmt.Errorf("GI/M/1 with ρ=%.4g: %w", rho, ErrUnstable)
	}
	// f(σ) = A*(μ(1−σ)) − σ is convex with f(0) > 0, f < 0 on (σ*, 1) and
	// f(1) = 0. Find a point with f < 0 at 1 − 2^{−i}, then bisect.
	f := func(s float64) float64 { return lst(mu*(1-s)) - s }
	lo, hi := 0.0, 0.5
	for i := 2; f(hi) >= 0; i++ {
		if i > 60 {
			return nil, fmt.Errorf("GI/M/1: no root of σ = A*(μ(1−σ)) in (0, 1) (ρ too close to 1?)")
		}
		lo, hi = hi, 1-math.Ldexp(1, -i)
	}
	for i := 0; i < 200 && hi-lo > 1e-16; i++ {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			break
		}
		if f(mid) > 0 {
			lo = mid
		} else {
			hi = mid
		}
	}
	return &GIM1{mu: mu, sigma: (lo + hi) / 2}, nil
}

// Sigma is the root σ, which is also P(Wq > 0).
func (g *GIM1) Sigma() float64 { return g.sigma }

// WaitProb is P(Wq > 0) = σ.
func (g *GIM1) WaitProb() float64 { return g.sigma }

// MeanWait is E[Wq] = σ/(μ(1−σ)), seconds.
func (g *GIM1) MeanWait() float64 { return g.sigma / (g.mu * (1 - g.sigma)) }

// MeanResponse is E[T] = 1/(μ(1−σ)), seconds.
func (g *GIM1) MeanResponse() float64 { return 1 / (g.mu * (1 - g.sigma)) }

// WaitTail is P(Wq > t) = σ·e^{−μ(1−σ)t} for t ≥ 0.
func (g *GIM1) WaitTail(t float64) float64 {
	if t < 0 {
		return 1
	}
	return g.sigma * math.Exp(-g.mu*(1-g.sigma)*t)
}

// ResponseTail is P(T > t) = e^{−μ(1−σ)t}.
func (g *GIM1) ResponseTail(t float64) float64 {
	if t <= 0 {
		return 1
	}
	return math.Exp(-g.mu * (1 - g.sigma) * t)
}

// ResponseQuantile is ln(1/(1−p))/(μ(1−σ)) seconds; p in (0, 1), else NaN.
func (g *GIM1) ResponseQuantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	return -math.Log1p(-p) / (g.mu * (1 - g.sigma))
}
