package queueing

import (
	"fmt"
	"math"
)

// MMCK is the M/M/c/K queue: Poisson arrivals at rate λ, c exponential
// workers at rate μ each, FCFS, and system capacity K INCLUDING the c in
// service (a server with c workers and Q waiting slots has K = c + Q). An
// arrival that finds K in the system is rejected (the 503 of the built-in
// target). Waits and responses are those of ADMITTED requests.
//
// Sources: docs/queueing.md §3; Octave queueing qsmmmk.m (Bolch, Greiner, de Meer,
// Trivedi, Queueing Networks and Markov Chains, 1998, §6.6).
type MMCK struct {
	lambda, mu float64
	c, k       int
	pi         []float64 // stationary distribution π_0..π_K
	adm        float64   // 1 − π_K
	p0         float64   // Σ_{n<c} π_n/(1−π_K): admitted and served at once
	w          []float64 // w[k] = π_{c+k−1}/(1−π_K), k = 1..K−c: waits Erlang(k, cμ)
	wbar       []float64 // wbar[j] = Σ_{k>j} w[k], j = 0..K−c
	l, lq      float64   // mean number in system, in queue
}

// NewMMCK returns the M/M/c/K queue for arrival rate lambda ≥ 0, service
// rate mu > 0, c ≥ 1 workers and system capacity k ≥ c. Any ρ is allowed,
// including overload (ρ ≥ 1). The stationary distribution is computed in log
// space and normalised by log-sum-exp, which is stable for c = 500,
// K = 5000, ρ = 1.2 (docs/queueing.md §3).
func NewMMCK(lambda, mu float64, c, k int) (*MMCK, error) {
	if err := checkNonNegative("M/M/c/K: arrival rate", lambda); err != nil {
		return nil, err
	}
	if err := checkPositive("M/M/c/K: service rate", mu); err != nil {
		return nil, err
	}
	if c < 1 || k < c || k > maxCapacity {
		return nil, fmt.Errorf("M/M/c/K: need 1 ≤ c ≤ K ≤ %d, got c=%d K=%d (K counts the c in service)", maxCapacity, c, k)
	}
	if a := lambda / mu; !finite(a) || a > 1e15 {
		return nil, fmt.Errorf("M/M/c/K: offered load λ/μ = %g is out of range", a)
	}
	m := &MMCK{lambda: lambda, mu: mu, c: c, k: k}
	// log q_0 = 0, log q_n = log q_{n−1} + log a − log min(n, c).
	logq := make([]float64, k+1)
	loga := math.Log(lambda / mu)
	maxLog := 0.0
	for n := 1; n <= k; n++ {
		logq[n] = logq[n-1] + loga - math.Log(float64(min(n, c)))
		maxLog = math.Max(maxLog, logq[n])
	}
	sum := 0.0
	for n := range logq {
		logq[n] = math.Exp(logq[n] - maxLog)
		sum += logq[n]
	}
	m.pi = logq
	for n := range m.pi {
		m.pi[n] /= sum
	}
	m.adm = 1 - m.pi[k]
	for n, p := range m.pi {
		if n < c {
			m.p0 += p
		}
		m.l += float64(n) * p
		if n > c {
			m.lq += float64(n-c) * p
		}
	}
	m.p0 /= m.adm
	kq := k - c
	m.w = make([]float64, kq+1)
	for i := 1; i <= kq; i++ {
		m.w[i] = m.pi[c+i-1] / m.adm
	}
	m.wbar = make([]float64, kq+1)
	for j := kq - 1; j >= 0; j-- {
		m.wbar[j] = math.Min(1, m.wbar[j+1]+m.w[j+1]) // ≤ 1 up to rounding
	}
	m.p0 = math.Min(1, m.p0)
	return m, nil
}

// Workers is c.
func (m *MMCK) Workers() int { return m.c }

// Capacity is K, including the c in service.
func (m *MMCK) Capacity() int { return m.k }

// Queue is the number of waiting slots K − c (`bploadgen target --queue`).
func (m *MMCK) Queue() int { return m.k - m.c }

// Prob returns π_n, the stationary probability of n in the system
// (0 outside 0..K). By PASTA it is also what a Poisson arrival sees.
func (m *MMCK) Prob(n int) float64 {
	if n < 0 || n > m.k {
		return 0
	}
	return m.pi[n]
}

// BlockProb is π_K: the probability that an arrival is rejected (the
// predicted 503 ratio; exact only for Poisson arrivals and exponential
// service, see docs/queueing.md §3 caveat).
func (m *MMCK) BlockProb() float64 { return m.pi[m.k] }

// Throughput is X = λ(1 − π_K), admitted (= completed) requests per second.
func (m *MMCK) Throughput() float64 { return m.lambda * m.adm }

// Utilization is the busy fraction of each worker, λ(1 − π_K)/(cμ).
func (m *MMCK) Utilization() float64 { return m.Throughput() / (float64(m.c) * m.mu) }

// MeanNumber is L = Σ n·π_n, the time-average number in the system.
func (m *MMCK) MeanNumber() float64 { return m.l }

// MeanQueue is Lq = Σ_{n>c} (n−c)·π_n, the time-average number waiting.
func (m *MMCK) MeanQueue() float64 { return m.lq }

// WaitProb is P(Wq > 0 | admitted) = Σ_{n=c..K−1} π_n/(1 − π_K).
func (m *MMCK) WaitProb() float64 { return m.wbar[0] }

// MeanWait is E[Wq | admitted] in seconds. An admitted arrival that finds
// n ≥ c waits n−c+1 service completions at rate cμ, so
// E[Wq] = Σ_k w_k·k/(cμ); by Little's law this equals Lq/(λ(1−π_K)).
func (m *MMCK) MeanWait() float64 {
	s := 0.0
	for i, wi := range m.w {
		s += wi * float64(i)
	}
	return s / (float64(m.c) * m.mu)
}

// MeanResponse is W = E[T | admitted] = E[Wq | admitted] + 1/μ, seconds
// (= L/λ_eff by Little's law).
func (m *MMCK) MeanResponse() float64 { return m.MeanWait() + 1/m.mu }

// WaitTail is P(Wq > t | admitted) = Σ_{k=1..K−c} w_k·Q(k, cμt), with Q the
// regularised upper incomplete gamma function; 1 for t < 0.
func (m *MMCK) WaitTail(t float64) float64 {
	if t < 0 {
		return 1
	}
	kq := m.k - m.c
	if kq == 0 {
		return 0
	}
	// Σ_k w_k Σ_{j<k} p_j = Σ_j p_j·wbar_j.
	x := float64(m.c) * m.mu * t
	return math.Min(1, poissonMix(x, kq-1, true, func(j int) float64 {
		if j < kq {
			return m.wbar[j]
		}
		return 0
	}))
}

// ResponseTail is P(T > t | admitted) for T = Wq + S (docs/queueing.md §3):
//
//	e^{−μt}·Σ_{n<c} π_n/(1−π_K) + Σ_k w_k·[Q(k, cμt) + e^{−μt}(c/(c−1))^k·P(k, (c−1)μt)]
//
// Substituting the Poisson series of P(k, ·) turns every term into a
// Poisson(cμt) probability times a weight in [0, 1]:
// e^{−μt}(c/(c−1))^k P(k,(c−1)μt) = Σ_{j≥k} p_j(cμt)·((c−1)/c)^{j−k}. So the
// whole tail is one positive series, with no (c/(c−1))^k overflow, and the
// c = 1 case (Erlang(k+1, μ)) is the same series with (c−1)/c = 0.
func (m *MMCK) ResponseTail(t float64) float64 {
	if t <= 0 {
		return 1
	}
	kq := m.k - m.c
	beta := float64(m.c-1) / float64(m.c)
	d := 0.0 // D_j = Σ_{k≤j} w_k β^{j−k}
	x := float64(m.c) * m.mu * t
	mix := poissonMix(x, kq, false, func(j int) float64 {
		var wb float64
		if j < kq {
			wb = m.wbar[j]
		}
		if j > 0 {
			d *= beta
			if j <= kq {
				d += m.w[j]
			}
		}
		return math.Min(1, wb+d)
	})
	return math.Min(1, math.Exp(-m.mu*t)*m.p0+mix)
}

// WaitQuantile is the p-quantile of Wq for admitted requests, seconds (0
// when 1−p ≥ P(wait)); p must be in (0, 1), otherwise NaN.
func (m *MMCK) WaitQuantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	return invertTail(m.WaitTail, 1-p, 1/m.mu)
}

// ResponseQuantile is the p-quantile of T for admitted requests, seconds,
// by bisection on ResponseTail; p must be in (0, 1), otherwise NaN.
func (m *MMCK) ResponseQuantile(p float64) float64 {
	if !(p > 0 && p < 1) {
		return math.NaN()
	}
	return invertTail(m.ResponseTail, 1-p, 1/m.mu)
}
