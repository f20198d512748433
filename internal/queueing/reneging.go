package queueing

import (
	"fmt"
	"math"
)

// MMCD is the M/M/c+D queue: Poisson arrivals, exponential service, c
// workers, an unbounded FCFS queue and a deterministic patience D (a queue
// timeout): a request that has not started service D seconds after it
// arrived leaves unserved. It is what a server with "wait at most D for a
// worker, then 503" is (HAProxy's maxconn + timeout queue, a submit with a
// deadline). It is stable at any load: abandonment bounds the queue.
//
// Sources: F. Baccelli and G. Hebuterne, "On queues with impatient
// customers", Performance '81 (1981) 159–179, for the density of the
// offered wait V (the wait a request with infinite patience would have):
//
//	P(V = 0) = p·E,  f_V(v) = λ·p·exp(λ·H(v) − cμ·v) for v > 0,
//	H(v) = ∫_0^v P(patience > u) du = min(v, D),
//	E = Σ_{j<c} a^j/j! ÷ a^{c−1}/(c−1)! = 1/B(c−1, a)   (a = λ/μ)
//	1/p = E + λ·J,  J = ∫_0^∞ exp(λ·H(x) − cμ·x) dx
//
// as summarised by E. Zeltyn and A. Mandelbaum, "Call centers with
// impatient customers: many-server asymptotics of the M/M/n+G queue",
// Queueing Systems 51 (2005) 361–402, §2; a request abandons iff V > D.
// With x = (λ − cμ)·D this gives
//
//	P(abandon) = ρ·e^x·p = (1 − ρ)·C·e^x / (1 − ρ·C·e^x)   (ρ < 1, C = Erlang C)
//
// the closed form of M.A.J. Boots and H.C. Tijms, "A multiserver queueing
// system with impatient customers", Management Science 45(3) (1999)
// 444–448, which the tests check it against. D = 0 is Erlang B; D → ∞ at
// ρ < 1 is M/M/c.
//
// Everything is evaluated with the exponentials combined before they are
// taken (e^x overflows for a long timeout in overload).
type MMCD struct {
	lambda, mu, d float64
	c             int
	alpha         float64 // λ − cμ: the growth rate of f_V on (0, D)
	logP          float64 // log p, p = f_V(0+)/λ
	logPG         float64 // log(p·e^{αD})
	p0            float64 // P(V = 0): a worker was free
	abandon       float64 // P(V > D)
}

// NewMMCD returns the M/M/c+D queue with arrival rate lambda ≥ 0, service
// rate mu > 0 per worker, c ≥ 1 workers and patience d ≥ 0 seconds.
func NewMMCD(lambda, mu float64, c int, d float64) (*MMCD, error) {
	if err := checkNonNegative("M/M/c+D: arrival rate", lambda); err != nil {
		return nil, err
	}
	if err := checkPositive("M/M/c+D: service rate", mu); err != nil {
		return nil, err
	}
	if err := checkNonNegative("M/M/c+D: patience", d); err != nil {
		return nil, err
	}
	if c < 1 || c > maxCapacity {
		return nil, fmt.Errorf("M/M/c+D: workers must be in [1, %d], got %d", maxCapacity, c)
	}
	m := &MMCD{lambda: lambda, mu: mu, d: d, c: c, alpha: lambda - float64(c)*mu}
	cmu := float64(c) * mu
	e := 1 / ErlangB(c-1, lambda/mu)
	x := m.alpha * d
	// 1/p = E + λ·∫_0^D e^{αv} dv + λ·e^{x}/(cμ). Divide by e^{x} when x > 0
	// so nothing overflows: 1/(p·e^x) = E·e^{−x} + λ·∫_0^D e^{−α u} du + λ/(cμ).
	if x > 0 {
		inv := e*math.Exp(-x) + lambda*integrateExp(-m.alpha, d) + lambda/cmu
		m.logPG = -math.Log(inv)
		m.logP = m.logPG - x
	} else {
		inv := e + lambda*integrateExp(m.alpha, d) + lambda*math.Exp(x)/cmu
		m.logP = -math.Log(inv)
		m.logPG = m.logP + x
	}
	m.p0 = e * math.Exp(m.logP)
	m.abandon = math.Min(1, lambda/cmu*math.Exp(m.logPG))
	return m, nil
}

// integrateExp is ∫_0^m e^{r·v} dv, stable for any sign of r·m.
func integrateExp(r, m float64) float64 {
	y := r * m
	if y == 0 {
		return m
	}
	return m * math.Expm1(y) / y
}

// scaledIntegrateExp is e^{ls}·∫_0^m e^{r·v} dv, with the exponents
// combined before exponentiating.
func scaledIntegrateExp(ls, r, m float64) float64 {
	if m <= 0 {
		return 0
	}
	y := r * m
	switch {
	case y > 0:
		return math.Exp(ls+y) * -math.Expm1(-y) / r
	case y < 0:
		return math.Exp(ls) * -math.Expm1(y) / -r
	}
	return math.Exp(ls) * m
}

// Patience is D, seconds.
func (m *MMCD) Patience() float64 { return m.d }

// AbandonProb is P(V > D): the fraction of arrivals that time out in the
// queue (the predicted 503 ratio).
func (m *MMCD) AbandonProb() float64 { return m.abandon }

// Throughput is the served rate λ·(1 − P(abandon)), per second.
func (m *MMCD) Throughput() float64 { return m.lambda * (1 - m.abandon) }

// Utilization is the busy fraction of each worker, Throughput/(cμ).
func (m *MMCD) Utilization() float64 { return m.Throughput() / (float64(m.c) * m.mu) }

// WaitProb is P(0 < V ≤ D | served): a served request waited.
func (m *MMCD) WaitProb() float64 {
	served := 1 - m.abandon
	if served <= 0 {
		return 0
	}
	return math.Max(0, 1-m.p0/served)
}

// MeanWait is E[V | V ≤ D], the mean queue wait of served requests, seconds:
// λ·p·∫_0^D v·e^{αv} dv / (1 − P(abandon)).
func (m *MMCD) MeanWait() float64 {
	served := 1 - m.abandon
	if served <= 0 || m.d == 0 {
		return 0
	}
	x := m.alpha * m.d
	var moment float64 // ∫_0^D v e^{αv} dv · p
	switch {
	case math.Abs(x) < 1e-4:
		// (x − 1 + e^{−x})/x² and its mirror, by their series.
		moment = math.Exp(m.logP) * m.d * m.d * (0.5 + x/3 + x*x/8)
	case x > 0:
		moment = math.Exp(m.logPG) * m.d * m.d * (x - 1 + math.Exp(-x)) / (x * x)
	default:
		moment = math.Exp(m.logP) * m.d * m.d * (1 + math.Exp(x)*(x-1)) / (x * x)
	}
	return m.lambda * moment / served
}

// MeanResponse is E[V + S | served], seconds.
func (m *MMCD) MeanResponse() float64 { return m.MeanWait() + 1/m.mu }

// ResponseTail is P(T > t | served) for the response time T = V + S of a
// served request (its service S ~ Exp(μ) is independent of its wait):
//
//	P(T > t, served) = P(V=0)·e^{−μt} + λp·e^{−μt}·∫_0^{min(t,D)} e^{(α+μ)v} dv
//	                 + λp·∫_{min(t,D)}^{D} e^{αv} dv
func (m *MMCD) ResponseTail(t float64) float64 {
	served := 1 - m.abandon
	if t <= 0 || served <= 0 {
		return 1
	}
	mt := math.Min(t, m.d)
	lam := m.lambda
	v := m.p0 * math.Exp(-m.mu*t)
	if lam > 0 {
		v += lam * scaledIntegrateExp(m.logP-m.mu*t, m.alpha+m.mu, mt)
		v += lam * scaledIntegrateExp(m.logP+m.alpha*mt, m.alpha, m.d-mt)
	}
	return math.Min(1, v/served)
}

// ResponseQuantile is the p-quantile of the served requests' response time,
// seconds, by inverting ResponseTail. p must be in (0, 1); otherwise NaN.
func (m *MMCD) ResponseQuantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	return invertTail(m.ResponseTail, 1-p, 1/m.mu)
}
