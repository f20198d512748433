package analysis

import (
	"math"
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// A stage's statistics are noisy, and near saturation far noisier than
// their sample sizes suggest: blocking comes in bursts and latencies are
// autocorrelated (docs/queueing.md §8: 230× the iid variance of a p99 at
// ρ = 0.9). A stage has only a handful of 1-second windows, and a
// batch-means interval from 4 or 5 batches can come out too narrow by
// chance. So the measurement interval of each check is the wider of
//
//   - the batch-means interval of the stage's own windows, and
//   - the spread the same statistic has under the model over stages of
//     the same length: noiseReps simulated replications of the stage
//     (queueing.Simulate with one batch per replication), whose SD × z
//     is the 95% half-width.
//
// The second is what agreement with the model has to allow: if the model
// is right, the observation falls within it 95% of the time.
const (
	noiseReps     = 20
	noiseMaxTotal = 100_000 // simulated arrivals per stage, at most
)

// simulate runs the model for noiseReps replications of a stage of n
// requests (shortened replications, rescaled in setNoise, for long stages).
func (m *model) simulate(kind modelKind, lambda, ca2, s float64, n int64, stage int) (*queueing.SimResult, error) {
	gaps, err := dist.Interarrivals(lambda, ca2)
	if err != nil {
		return nil, err
	}
	scv := m.svc.scv
	if kind == kindMMCK || kind == kindMMC || kind == kindMMCD {
		gaps, scv = dist.Dist{Kind: dist.Exponential, Mean: 1 / lambda}, 1
	}
	d, err := dist.FromMeanSCV(s, scv)
	if err != nil {
		return nil, err
	}
	per := max(min(n, noiseMaxTotal/noiseReps), 200)
	return queueing.Simulate(queueing.SimConfig{
		Interarrival: gaps, Service: d, Servers: m.c, Capacity: m.k, Patience: m.patience,
		Arrivals: int(per) * noiseReps, Batches: noiseReps, Quantiles: []float64{0.99}, Level: level,
	}, rand.New(rand.NewPCG(m.seed, uint64(stage))))
}

// setNoise converts the simulation's batch-means half-widths (of the mean
// over noiseReps replications) into the half-width of ONE replication,
// t·sd/√B → z·sd, rescaled by √(per/n) when the replications were
// shorter than the stage.
func setNoise(p *prediction, res *queueing.SimResult, n int64) {
	b := float64(res.Batches)
	if b < 2 || n <= 0 {
		return
	}
	per := float64(res.Arrivals) / b
	f := math.Sqrt(b) / queueing.StudentT(level, res.Batches-1) * queueing.NormalZ(level) * math.Sqrt(math.Min(1, per/float64(n)))
	p.noiseBlock = res.ShedRatio.HalfWidth * f
	p.noiseMean = res.MeanResponse.HalfWidth * f
	p.noiseP99 = res.ResponseQuantiles[0].HalfWidth * f
	p.noiseOK = isFinite(p.noiseBlock) && isFinite(p.noiseMean) && isFinite(p.noiseP99)
}

// addNoise simulates the model at the stage's parameters for its noise,
// for the analytic models (the simulated one has it already).
func (m *model) addNoise(p *prediction, kind modelKind, lambda, ca2, s float64, n int64, stage int) {
	if p.noiseOK || m.kUnknown || p.unstable || (m.k == 0 && p.util >= 1 && m.patience == 0) || kind == kindTB || kind == kindTBSim {
		return
	}
	res, err := m.simulate(kind, lambda, ca2, s, n, stage)
	if err != nil {
		return
	}
	setNoise(p, res, n)
}
