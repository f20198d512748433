package sizing

import (
	"fmt"
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// evalSim fills cd from seeded G/G/c/K simulations: the smallest K in
// [c, MaxMean] whose simulated block ratio is ≤ MaxReject (common random
// numbers: every simulation of a Size call replays the same arrivals and
// service times), then its simulated p-quantile against the SLO.
func (s *sizer) evalSim(cd *candidate) {
	sp := s.spec
	c, maxK := cd.c, cd.bounds.MaxMean
	top := s.simAt(c, maxK)
	if s.simErr != nil {
		cd.reason = "simulation failed: " + s.simErr.Error()
		return
	}
	if top.BlockRatio.Value > sp.MaxReject {
		s.blockTooHigh(cd, fmt.Sprintf("more (even K = %d rejects %s in simulation)", maxK, numfmt.Share(top.BlockRatio.Value)))
		return
	}
	// Start from the exact M/M/c/K answer, which brackets the simulated one
	// within a few steps.
	guess := maxK
	if k, _ := queueing.MinBlockK(sp.Rate, s.mu(), c, sp.MaxReject, maxK); k > 0 {
		guess = k
	}
	k := queueing.SearchMin(c, maxK, guess, func(k int) bool { return s.simAt(c, k).BlockRatio.Value <= sp.MaxReject })
	res := s.simAt(c, k)
	cd.bounds.MinBlock = k
	if k > c {
		cd.bounds.BlockBelow = s.simAt(c, k-1).BlockRatio.Value
	}
	cd.k = k
	cd.pred = Prediction{
		ResponseP50:  res.ResponseQuantiles[0],
		ResponseP99:  res.ResponseQuantiles[1],
		ResponseSLO:  res.ResponseQuantiles[2],
		ResponseMean: res.MeanResponse,
		BlockRatio:   res.BlockRatio,
		Busy:         res.Throughput.Value * sp.Service.Mean / float64(c),
	}
	if got := cd.pred.ResponseSLO.Value; got > sp.SLO.Target {
		s.sloTooHigh(cd, k, got)
		return
	}
	cd.ok = true
}

// simAt simulates c workers and capacity K once (cached), with the Size
// call's fixed seeds.
func (s *sizer) simAt(c, k int) *queueing.SimResult {
	key := [2]int{c, k}
	if r, ok := s.sims[key]; ok {
		return r
	}
	s.nsims++
	res, err := queueing.Simulate(queueing.SimConfig{
		Interarrival: s.arrivals,
		Service:      s.spec.Service,
		Servers:      c,
		Capacity:     k,
		Arrivals:     s.spec.SimArrivals,
		Quantiles:    []float64{0.5, 0.99, s.spec.SLO.Quantile},
	}, rand.New(rand.NewPCG(s.seed1, s.seed2)))
	if err != nil {
		// The configuration was validated, so this is a bug: remember it and
		// refuse the candidate (a result that rejects everything).
		if s.simErr == nil {
			s.simErr = err
		}
		res = &queueing.SimResult{BlockRatio: queueing.Estimate{Value: 1}, ResponseQuantiles: make([]queueing.Estimate, 3)}
	}
	s.sims[key] = res
	return res
}
