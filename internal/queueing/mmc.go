package queueing

import (
	"fmt"
	"math"
)

// MMC is the M/M/c queue (Poisson arrivals, exponential service, c workers,
// unbounded FCFS queue). Times are seconds, rates per second.
// Source: docs/queueing.md §2; Wikipedia "M/M/c queue".
type MMC struct {
	lambda, mu float64
	c          int
	a, rho     float64 // offered load λ/μ (Erlangs), per-worker utilisation a/c
	wait       float64 // Erlang C: P(Wq > 0)
	theta      float64 // cμ − λ: decay rate of the conditional wait
}

// NewMMC returns the M/M/c queue with arrival rate lambda ≥ 0, service rate
// mu > 0 per worker and c ≥ 1 workers. It fails unless ρ = λ/(cμ) < 1.
func NewMMC(lambda, mu float64, c int) (*MMC, error) {
	if err := checkNonNegative("M/M/c: arrival rate", lambda); err != nil {
		return nil, err
	}
	if err := checkPositive("M/M/c: service rate", mu); err != nil {
		return nil, err
	}
	if c < 1 || c > maxCapacity {
		return nil, fmt.Errorf("M/M/c: workers must be in [1, %d], got %d", maxCapacity, c)
	}
	a := lambda / mu
	rho := a / float64(c)
	if !(rho < 1) {
		return nil, fmt.Errorf("M/M/c with λ=%g, μ=%g, c=%d: ρ=%.4g: %w", lambda, mu, c, rho, ErrUnstable)
	}
	return &MMC{
		lambda: lambda, mu: mu, c: c, a: a, rho: rho,
		wait:  ErlangC(c, a),
		theta: float64(c)*mu - lambda,
	}, nil
}

// Utilization is ρ = λ/(cμ), the mean fraction of time each worker is busy.
func (m *MMC) Utilization() float64 { return m.rho }

// WaitProb is P(Wq > 0) = C(c, a), the Erlang C probability.
func (m *MMC) WaitProb() float64 { return m.wait }

// MeanWait is E[Wq] = C/(cμ − λ), seconds.
func (m *MMC) MeanWait() float64 { return m.wait / m.theta }

// MeanResponse is E[T] = E[Wq] + 1/μ, seconds.
func (m *MMC) MeanResponse() float64 { return m.MeanWait() + 1/m.mu }

// MeanQueue is Lq = λ·E[Wq], the mean number waiting.
func (m *MMC) MeanQueue() float64 { return m.lambda * m.MeanWait() }

// MeanNumber is L = λ·E[T], the mean number in the system (Little's law).
func (m *MMC) MeanNumber() float64 { return m.lambda * m.MeanResponse() }

// WaitTail is P(Wq > t) = C·e^{−(cμ−λ)t} for t ≥ 0 (FCFS), and 1 for t < 0.
func (m *MMC) WaitTail(t float64) float64 {
	if t < 0 {
		return 1
	}
	return m.wait * math.Exp(-m.theta*t)
}

// WaitQuantile is the p-quantile of Wq in seconds: 0 when 1−p ≥ C, else
// ln(C/(1−p))/(cμ − λ). p must be in (0, 1); otherwise NaN.
func (m *MMC) WaitQuantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	if 1-p >= m.wait {
		return 0
	}
	return math.Log(m.wait/(1-p)) / m.theta
}

// ResponseTail is P(T > t) for the response time T = Wq + S:
//
//	P(T > t) = e^{−μt} + C·μ·h(t),  h(t) = e^{−min(μ,θ)t}·(−expm1(−|θ−μ|t))/|θ−μ|
//
// with θ = cμ − λ; h(t) = t·e^{−μt} when θ = μ. This form is continuous
// through θ = μ and cannot overflow (docs/queueing.md §2).
func (m *MMC) ResponseTail(t float64) float64 {
	if t <= 0 {
		return 1
	}
	mu, th := m.mu, m.theta
	var h float64
	if d := math.Abs(th - mu); d == 0 {
		h = t * math.Exp(-mu*t)
	} else {
		h = math.Exp(-math.Min(mu, th)*t) * -math.Expm1(-d*t) / d
	}
	return math.Min(1, math.Exp(-mu*t)+m.wait*mu*h)
}

// ResponseQuantile is the p-quantile of T in seconds, by bisection on the
// monotone ResponseTail (no closed form for c > 1). p must be in (0, 1);
// otherwise NaN. For c = 1 it equals ln(1/(1−p))/(μ−λ).
func (m *MMC) ResponseQuantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	return invertTail(m.ResponseTail, 1-p, 1/m.mu)
}
