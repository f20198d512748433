package analysis

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Predictor is the model Analyze fits to a result, asked about arrival
// rates the result did not run: what the client would observe at λ. The
// capacity search (internal/capacity) probes where it predicts an SLO's
// limit and reports the model's capacity beside the measured one.
type Predictor struct {
	an   *analyzer
	kind modelKind
	ca2  float64 // the arrival SCV of the highest-rate stage
	o    float64 // the client's overhead added to the model's times, seconds
}

// Prediction is what the client should observe at one arrival rate: the
// model's server-side times plus the measured overhead, as in Analyze.
type Prediction struct {
	Utilization float64 // offered ρ = λ·E[S]/c
	// BlockRatio is the fraction of requests answered 503 (a full
	// queue); only a lower bound (1 − 1/ρ) when BlockLower.
	BlockRatio float64
	BlockLower bool
	// ResponseMeanS and ResponseP99S are the 2xx response time from the
	// intended send, seconds.
	ResponseMeanS, ResponseP99S  float64
	HaveBlock, HaveMean, HaveP99 bool
	// Unstable: an unbounded queue at ρ ≥ 1 has no steady state; its
	// latency grows without bound.
	Unstable bool
}

// predictorArrivals is the length, in arrivals per replication, of the
// simulation behind a simulated model's prediction: long enough for a
// smooth curve in λ (the same seed at every λ), short enough to be
// evaluated a few hundred times by a search.
const predictorArrivals = 2000

// NewPredictor fits the model of Analyze(r, spec) to r. The error says why
// no model can be formed (no service time, no worker count).
func NewPredictor(r *result.Result, spec ModelSpec) (*Predictor, error) {
	if r == nil {
		return nil, errors.New("predictor: no result")
	}
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("predictor: %w", err)
	}
	an := newAnalyzer(r, spec)
	if len(an.data) == 0 {
		return nil, errors.New("predictor: the result has no stages")
	}
	// The same fit as Analyze: overhead from immediate answers, the
	// shedding mechanism, the service time corrected by the plateau.
	obs := observeShedding(r, an.data)
	an.ovh = measureOverhead(an.data, obs)
	if an.ovh.lowKnown {
		obs.ref = an.ovh.low
	}
	an.svc = resolveService(r, an.data, spec, an.ovh)
	an.warn = append(an.warn, an.svc.warnings...)
	knee := findKnee(an.data)
	an.sh = an.recognise(obs, knee)
	c, k, kUnknown := an.shape(knee)
	an.correctService(c)
	an.m = chooseModel(an.data, r.Arrival, c, k, kUnknown, an.svc, seedOf(r))
	an.m.adoptShedding(an.sh, an.data, an.svc)
	if an.m.kind == kindNone {
		why := "no worker count or service time"
		for _, w := range an.warn {
			if strings.HasPrefix(w, "no service time") || strings.HasPrefix(w, "the worker count is unknown") {
				why = w
			}
		}
		return nil, fmt.Errorf("no queueing model: %s", why)
	}
	p := &Predictor{an: an}
	var top *stageData
	for _, d := range an.data {
		if d.st.Sent > 0 && (top == nil || d.lambda > top.lambda) {
			top = d
		}
	}
	p.ca2 = 1
	if r.Arrival != "poisson" {
		p.ca2 = 0
	}
	poisson := r.Arrival == "poisson"
	if top != nil {
		poisson = poissonStage(top, r.Arrival)
		if top.st.Gaps >= minGapsForSCV {
			p.ca2 = top.ca2
		}
	}
	p.kind = an.m.kindFor(poisson, p.ca2)
	if an.ovh.source != overheadUnknown {
		p.o = an.ovh.mean
	}
	return p, nil
}

// Model describes the fitted model as Analyze would (result.Model), named
// after the kind the predictor uses at new rates.
func (p *Predictor) Model() result.Model {
	m := p.an.modelResult()
	m.Name, m.Tolerance = kindName(p.kind), tolerance(p.kind)
	if p.an.m.kUnknown {
		m.Name += " (K unknown)"
	}
	return m
}

// ServiceMean is the model's E[S] and δS, the half-width of its
// uncertainty, in seconds.
func (p *Predictor) ServiceMean() (mean, hw float64) {
	s := p.an.svc
	hw = s.hw
	if s.measured > 0 {
		hw = math.Abs(s.mean-s.measured) + s.measuredHW
	}
	return s.mean, hw
}

// Capacity is the highest rate the model serves, per second: c/E[S], the
// rate at which every worker is busy, or a token bucket's rate (the
// workers behind it are not modelled).
func (p *Predictor) Capacity() float64 {
	if p.kind == kindTB || p.kind == kindTBSim || p.kind == kindTBQueue {
		return p.an.m.rate
	}
	return float64(p.an.m.c) / p.an.svc.mean
}

// Bucket describes a token-bucket model: its rate R and the half-width of
// R's 95% interval (per second), its size B (tokens), the largest size
// the run rules out below B (above: the bucket is larger; 0 when none
// is), and whether the run told B apart from a larger bucket (otherwise B
// is the largest size the fit tried, assumed). ok is false for every
// other model.
func (p *Predictor) Bucket() (rate, rateHW, burst, above float64, burstSeen, ok bool) {
	if p.kind != kindTB && p.kind != kindTBSim {
		return 0, 0, 0, 0, false, false
	}
	sh := p.an.sh
	return p.an.m.rate, sh.rateHW, p.an.m.burst, sh.burstAbove, sh.burstSeen, true
}

// Delaying describes a rate limit that delays (ratedelay.go): its rate R
// and the half-width of R's 95% interval (per second), and the requests
// it delays; ok is false for every other model. WithBucket(R, 0) moves
// its rate.
func (p *Predictor) Delaying() (rate, rateHW float64, delay int, ok bool) {
	if p.kind != kindTBQueue {
		return 0, 0, 0, false
	}
	return p.an.m.rate, p.an.sh.rateHW, p.an.m.delay, true
}

// WithBucket is this token-bucket predictor with rate R (per second) and
// B tokens instead: the ends of what the run leaves open about the bucket.
func (p *Predictor) WithBucket(rate, burst float64) *Predictor {
	m := *p.an.m
	m.rate, m.burst = rate, burst
	an := *p.an
	an.m = &m
	q := *p
	q.an = &an
	return &q
}

// Sheds reports whether the model turns away what exceeds Capacity (a
// bounded queue, a queue timeout, a token bucket), so it has a steady
// state at any rate; an unbounded queue has none at or past Capacity.
func (p *Predictor) Sheds() bool {
	switch p.kind {
	case kindMMC, kindGGc:
		return false
	}
	return true
}

// At predicts the client's view at arrival rate lambda (per second) with
// the mean service time serviceMean (seconds; 0 means the model's E[S]).
func (p *Predictor) At(lambda, serviceMean float64) (Prediction, error) {
	s := serviceMean
	if s == 0 {
		s = p.an.svc.mean
	}
	pr, err := p.an.m.predict(p.kind, lambda, p.ca2, s, predictorArrivals, 0)
	if err != nil {
		return Prediction{}, err
	}
	out := Prediction{
		Utilization: pr.util, BlockRatio: pr.block, BlockLower: pr.blockLower,
		HaveBlock: pr.haveBlock, HaveMean: pr.haveMean, HaveP99: pr.haveP99, Unstable: pr.unstable,
	}
	if p.an.m.kUnknown && pr.block > 0 {
		out.HaveMean, out.HaveP99 = false, false
	}
	if out.HaveMean {
		out.ResponseMeanS = pr.mean + p.o
	}
	if out.HaveP99 {
		out.ResponseP99S = pr.p99 + p.o
	}
	return out, nil
}
