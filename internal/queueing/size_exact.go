package queueing

import (
	"fmt"
	"math"
)

// evalExact fills cd from the M/M/c/K formulas (docs/queueing.md §3, §6.2).
func (s *sizer) evalExact(cd *candidate) {
	sp := s.spec
	c := cd.c
	maxK := cd.bounds.MaxMean
	// Scan K upwards past the budget too, to say how much would be needed.
	limit := min(maxCapacity, max(10*maxK, maxK+10_000))
	k, below := minBlockK(sp.Rate, s.mu(), c, sp.MaxReject, limit)
	if k == 0 || k > maxK {
		need := fmt.Sprintf("K > %d", limit)
		if k > 0 {
			need = fmt.Sprintf("K ≥ %d", k)
		}
		s.blockTooHigh(cd, need)
		return
	}
	cd.bounds.MinBlock, cd.bounds.BlockBelow = k, below
	m, err := NewMMCK(sp.Rate, s.mu(), c, k)
	if err != nil {
		cd.reason = err.Error()
		return
	}
	cd.k = k
	cd.pred = mmckPrediction(m, sp.SLO.Quantile)
	if got := cd.pred.ResponseSLO.Value; got > sp.SLO.Target {
		s.sloTooHigh(cd, k, got)
		// Say how large K may be for the SLO (docs/queueing.md §6.2 "Combine").
		first := searchMin(c, k, c, func(k int) bool {
			m, err := NewMMCK(sp.Rate, s.mu(), c, k)
			return err != nil || m.ResponseQuantile(sp.SLO.Quantile) > sp.SLO.Target
		})
		cd.bounds.MaxPct = first - 1
		if first == c {
			cd.reason += "; even with no waiting room (K = c) it is above the SLO"
		} else {
			cd.reason += fmt.Sprintf("; the %s stays within the SLO only up to K = %d", s.label(), first-1)
		}
		return
	}
	cd.ok = true
}

// mmckPrediction is the exact prediction of an M/M/c/K queue.
func mmckPrediction(m *MMCK, p float64) Prediction {
	return Prediction{
		ResponseP50:  Estimate{Value: m.ResponseQuantile(0.5)},
		ResponseP99:  Estimate{Value: m.ResponseQuantile(0.99)},
		ResponseSLO:  Estimate{Value: m.ResponseQuantile(p)},
		ResponseMean: Estimate{Value: m.MeanResponse()},
		BlockRatio:   Estimate{Value: m.BlockProb()},
		Busy:         m.Utilization(),
	}
}

// minBlockK is the smallest K in [c, limit] whose M/M/c/K blocking
// probability π_K is ≤ target (0 if none), with π at K − 1 (NaN if K = c).
// π_K = q_K/Σ_{n≤K} q_n is updated in O(1) per K in log space.
func minBlockK(lambda, mu float64, c int, target float64, limit int) (int, float64) {
	loga := math.Log(lambda / mu)
	logq, logS := 0.0, 0.0 // log q_n and log Σ_{m≤n} q_m at n = 0
	prev := math.NaN()
	for n := 1; n <= limit; n++ {
		logq += loga - math.Log(float64(min(n, c)))
		if logq > logS {
			logS = logq + math.Log1p(math.Exp(logS-logq))
		} else {
			logS += math.Log1p(math.Exp(logq - logS))
		}
		if n < c {
			continue
		}
		pi := math.Exp(logq - logS)
		if pi <= target {
			return n, prev
		}
		prev = pi
	}
	return 0, prev
}

// maxPctExact is the largest K whose admitted p-quantile meets the SLO, given
// that kOK does (Unbounded if an unbounded queue meets it: the quantile
// increases with K towards the M/M/c value).
func (s *sizer) maxPctExact(c, kOK int, unbounded float64) int {
	sp := s.spec
	if unbounded <= sp.SLO.Target { // false for NaN (ρ ≥ 1)
		return Unbounded
	}
	meets := func(k int) bool {
		m, err := NewMMCK(sp.Rate, s.mu(), c, k)
		return err == nil && m.ResponseQuantile(sp.SLO.Quantile) <= sp.SLO.Target
	}
	// Largest K with meets(K) = (smallest K with !meets(K)) − 1.
	hi := min(maxCapacity, max(8*kOK, kOK+1000))
	first := searchMin(kOK, hi, kOK+1, func(k int) bool { return !meets(k) })
	return first - 1
}

// maxWorst is the largest K ≤ limit·10 for which the last-in-line admitted
// request (Erlang(K−c, cμ) wait, docs/queueing.md §6.2) plus an exponential
// service still meets the SLO quantile.
func (s *sizer) maxWorst(c, limit int) int {
	sp := s.spec
	q := 1 - sp.SLO.Quantile
	meets := func(k int) bool { return erlangPlusExpTail(k-c, c, s.mu(), sp.SLO.Target) <= q }
	if !meets(c) {
		return 0
	}
	hi := min(maxCapacity, 10*max(limit, c))
	return searchMin(c, hi, c+1, func(k int) bool { return !meets(k) }) - 1
}

// erlangPlusExpTail is P(E_q + S > t) for E_q ~ Erlang(q, cμ) and S ~ Exp(μ):
// Q(q, cμt) + Σ_{j≥q} p_j(cμt)·((c−1)/c)^{j−q} (the same rearrangement as
// MMCK.ResponseTail; for c = 1 it is Q(q+1, μt)).
func erlangPlusExpTail(q, c int, mu, t float64) float64 {
	if t <= 0 {
		return 1
	}
	beta := float64(c-1) / float64(c)
	w := 1.0
	return math.Min(1, poissonMix(float64(c)*mu*t, q, false, func(j int) float64 {
		if j <= q {
			return 1
		}
		w *= beta
		return w
	}))
}
