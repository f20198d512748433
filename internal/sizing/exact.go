package sizing

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/queueing"
)

// evalExact fills cd from the M/M/c/K formulas (docs/queueing.md §3, §6.2).
func (s *sizer) evalExact(cd *candidate) {
	sp := s.spec
	c := cd.c
	maxK := cd.bounds.MaxMean
	// Scan K upwards past the budget too, to say how much would be needed.
	limit := min(queueing.MaxCapacity, max(10*maxK, maxK+10_000))
	k, below := queueing.MinBlockK(sp.Rate, s.mu(), c, sp.MaxReject, limit)
	if k == 0 || k > maxK {
		need := fmt.Sprintf("K > %d", limit)
		if k > 0 {
			need = fmt.Sprintf("K ≥ %d", k)
		}
		s.blockTooHigh(cd, need)
		return
	}
	cd.bounds.MinBlock, cd.bounds.BlockBelow = k, below
	m, err := queueing.NewMMCK(sp.Rate, s.mu(), c, k)
	if err != nil {
		cd.reason = err.Error()
		return
	}
	cd.k = k
	cd.pred = mmckPrediction(m, sp.SLO.Quantile)
	if got := cd.pred.ResponseSLO.Value; got > sp.SLO.Target {
		s.sloTooHigh(cd, k, got)
		// Say how large K may be for the SLO (docs/queueing.md §6.2 "Combine").
		first := queueing.SearchMin(c, k, c, func(k int) bool {
			m, err := queueing.NewMMCK(sp.Rate, s.mu(), c, k)
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
func mmckPrediction(m *queueing.MMCK, p float64) Prediction {
	return Prediction{
		ResponseP50:  queueing.Estimate{Value: m.ResponseQuantile(0.5)},
		ResponseP99:  queueing.Estimate{Value: m.ResponseQuantile(0.99)},
		ResponseSLO:  queueing.Estimate{Value: m.ResponseQuantile(p)},
		ResponseMean: queueing.Estimate{Value: m.MeanResponse()},
		BlockRatio:   queueing.Estimate{Value: m.BlockProb()},
		Busy:         m.Utilization(),
	}
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
		m, err := queueing.NewMMCK(sp.Rate, s.mu(), c, k)
		return err == nil && m.ResponseQuantile(sp.SLO.Quantile) <= sp.SLO.Target
	}
	// Largest K with meets(K) = (smallest K with !meets(K)) − 1.
	hi := min(queueing.MaxCapacity, max(8*kOK, kOK+1000))
	first := queueing.SearchMin(kOK, hi, kOK+1, func(k int) bool { return !meets(k) })
	return first - 1
}

// maxWorst is the largest K ≤ limit·10 for which the last-in-line admitted
// request (Erlang(K−c, cμ) wait, docs/queueing.md §6.2) plus an exponential
// service still meets the SLO quantile.
func (s *sizer) maxWorst(c, limit int) int {
	sp := s.spec
	q := 1 - sp.SLO.Quantile
	meets := func(k int) bool { return queueing.ErlangPlusExpTail(k-c, c, s.mu(), sp.SLO.Target) <= q }
	if !meets(c) {
		return 0
	}
	hi := min(queueing.MaxCapacity, 10*max(limit, c))
	return queueing.SearchMin(c, hi, c+1, func(k int) bool { return !meets(k) }) - 1
}
