package analysis

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// modelKind is the family the predictions come from.
type modelKind int

const (
	kindNone modelKind = iota
	kindMMCK           // M/M/c/K, exact (docs/queueing.md §3)
	kindSimK           // G/G/c/K by simulation (queueing.Simulate)
	kindMMC            // M/M/c, exact, unbounded queue (§2)
	kindGGc            // G/G/c, Whitt mean + tail heuristic, unbounded (§4)
)

// Model tolerances (docs/queueing.md §8 "Judging agreement", item 3): ≈ 0 for
// an exact model whose assumptions the run meets; 5% for the simulator,
// whose only approximations are the renewal (gamma) arrival process and a
// lognormal service of the measured mean and SCV; 10% for Whitt's G/G/c
// mean and the G/G/c tail heuristic.
const (
	tolExact = 0.0
	tolSim   = 0.05
	tolWhitt = 0.10
)

// Tests of the assumptions: arrivals are Poisson when every stage's
// jitter-corrected arrival SCV is within max(0.1, 3 SD) of 1, the SD of a
// Poisson sample SCV being 2/√n; service is exponential when its SCV is
// within 0.1 of 1.
const (
	poissonSCVTol = 0.1
	expSCVTol     = 0.1
)

// model is the chosen queueing model.
type model struct {
	kind     modelKind         // the kind most stages use (names the model)
	kinds    map[int]modelKind // per stage position: the arrivals decide
	c, k     int               // k = 0: no bound (unbounded, or unknown)
	kUnknown bool              // the server rejects, but its K was not given
	svc      *service
	poisson  bool // every stage's arrivals are Poisson
	expSvc   bool
	seed     uint64
	name     string
	kendall  string
	notes    []string

	// How the target sheds (shedmodel.go): a queue timeout, a token
	// bucket, an adaptive limit modelled at its mean.
	mech        string
	patience    float64
	rate, burst float64
	delay       int // a rate limit's delayed requests B (ratedelay.go)
}

// prediction is the model's server-side prediction for one stage.
type prediction struct {
	block, mean, p99       float64
	blockHW, meanHW, p99HW float64 // the simulation's own 95% intervals
	// noise: the 95% half-widths of the same statistics over one stage of
	// the run's length under the model (simulated replications)
	noiseBlock, noiseMean, noiseP99 float64
	noiseOK                         bool
	haveBlock, haveMean, haveP99    bool
	blockLower                      bool    // block is only a lower bound
	util                            float64 // offered ρ = λ·E[S]/c
	relax                           float64 // relaxation time, seconds (0 unknown)
	unstable                        bool    // unbounded queue with ρ ≥ 1: no steady state
	why                             string  // why the times are not predicted
}

// poissonStage tests one stage's arrivals: Poisson when the
// jitter-corrected SCV is within max(0.1, 3 SD) of 1 (the SD of a Poisson
// sample SCV is 2/√n); by the result's label with too few sends.
func poissonStage(d *stageData, label string) bool {
	if d.st.Gaps < minGapsForSCV {
		return label == "poisson"
	}
	return math.Abs(d.ca2-1) <= math.Max(poissonSCVTol, 3*2/math.Sqrt(float64(d.st.Gaps)))
}

// chooseModel picks the model from what is known and measured. The
// service time and the bound are the server's and hold for every stage;
// the arrivals are the stage's, so a stage whose arrivals are not Poisson
// (a generator stall sends a burst) is simulated even when the others are
// M/M.
func chooseModel(data []*stageData, arrivalLabel string, c, k int, kUnknown bool, svc *service, seed uint64) *model {
	m := &model{c: c, k: k, kUnknown: kUnknown, svc: svc, seed: seed, kinds: map[int]modelKind{}}
	if c < 1 || !svc.known() {
		m.name = "none"
		return m
	}
	m.expSvc = math.Abs(svc.scv-1) <= expSCVTol
	bounded := k > 0
	exact, approx := kindMMC, kindGGc
	if bounded {
		exact, approx = kindMMCK, kindSimK
	}
	lo, hi, judged := math.Inf(1), math.Inf(-1), 0
	var odd []string
	count := map[modelKind]int{}
	m.poisson = true
	for _, d := range data {
		if d.st.Gaps >= minGapsForSCV {
			judged++
			lo, hi = math.Min(lo, d.ca2), math.Max(hi, d.ca2)
		}
		kind := approx
		if p := poissonStage(d, arrivalLabel); p && m.expSvc {
			kind = exact
		} else if !p {
			m.poisson = false
			odd = append(odd, strconv.Itoa(d.st.Index))
		}
		m.kinds[d.pos] = kind
		count[kind]++
	}
	m.kind = exact
	if count[approx] > count[exact] {
		m.kind = approx
	}
	arrivalWhy := fmt.Sprintf("arrivals %q by the result's label (too few sends to measure their SCV)", arrivalLabel)
	if judged > 0 {
		arrivalWhy = fmt.Sprintf("arrival SCV %s measured (after removing send jitter)", scvRange(lo, hi))
		if m.poisson {
			arrivalWhy = "Poisson " + arrivalWhy
		}
	}
	svcWhy := fmt.Sprintf("service SCV %.3g (%s)", svc.scv, svc.scvNote)
	if m.expSvc {
		svcWhy = "exponential " + svcWhy
	}
	m.name = kindName(m.kind)
	m.notes = append(m.notes, arrivalWhy+" and "+svcWhy+": predicted by "+kindWhy(m.kind))
	if !bounded && !kUnknown {
		m.notes = append(m.notes, "the queue has no bound, so a stage at ρ ≥ 1 has no steady state")
	}
	if len(odd) > 0 && m.expSvc && count[exact] > 0 {
		m.notes = append(m.notes, fmt.Sprintf("the arrivals of stage %s were not Poisson (a generator stall sends a burst), so that stage is predicted by %s",
			strings.Join(odd, ", "), kindWhy(approx)))
	}
	if kUnknown {
		m.name += " (K unknown)"
		m.notes = append(m.notes, "the target rejected requests but its queue size is unknown (give --queue): the 503 ratio is predicted only as its lower bound 1 − 1/ρ, and times only for stages without 503s")
	}
	m.kendall = m.kendallString()
	return m
}

func kindName(k modelKind) string {
	switch k {
	case kindMMCK:
		return "M/M/c/K"
	case kindSimK:
		return "G/G/c/K (simulated)"
	case kindMMC:
		return "M/M/c"
	case kindGGc:
		return "G/G/c (Whitt)"
	}
	return shedKindName(k)
}

// kindWhy names how a kind predicts, as the object of "predicted by".
func kindWhy(k modelKind) string {
	switch k {
	case kindMMCK:
		return "the exact M/M/c/K formulas (queueing.md §3)"
	case kindSimK:
		return fmt.Sprintf("simulating G/G/c/K (%d stages' worth of arrivals: gamma inter-arrivals of the stage's SCV, a service time of the measured mean and SCV; the simulation's 95%% interval is in the band)", noiseReps)
	case kindMMC:
		return "the exact M/M/c formulas (queueing.md §2)"
	case kindGGc:
		return "Whitt's G/G/c mean and the G/G/c tail heuristic (queueing.md §4, about 10% accuracy)"
	}
	return shedKindWhy(k)
}

// tolerance is a kind's model tolerance.
func tolerance(k modelKind) float64 {
	switch k {
	case kindSimK, kindSimD, kindTBSim:
		return tolSim
	case kindGGc, kindTBQueue:
		// A delaying rate limit is M/D/1/K only up to nginx's
		// millisecond clock and timers: the 10% of an approximation.
		return tolWhitt
	}
	return tolExact
}

// tolerance is the tolerance of kind in this model: an adaptive limit
// modelled at its mean is an approximation (tolAdaptive).
func (m *model) tolerance(k modelKind) float64 {
	if m.mech == mechAdaptive {
		return math.Max(tolAdaptive, tolerance(k))
	}
	return tolerance(k)
}

// kendallString is the model of most stages in Kendall notation with
// numbers: "M/M/8/24", "G/LN/8/24", "M/M/8".
func (m *model) kendallString() string {
	a, b := "M", "M"
	if m.kind == kindSimK || m.kind == kindGGc {
		if !m.poisson {
			a = "G"
		}
		if !m.expSvc {
			b = "G"
			if d, err := dist.FromMeanSCV(m.svc.mean, m.svc.scv); err == nil {
				b = d.Kendall()
			}
		}
	}
	s := a + "/" + b + "/" + strconv.Itoa(m.c)
	if m.k > 0 {
		s += "/" + strconv.Itoa(m.k)
	}
	return s
}

func scvRange(lo, hi float64) string {
	if math.Abs(hi-lo) < 0.005 {
		return fmt.Sprintf("%.2f", lo)
	}
	return fmt.Sprintf("%.2f–%.2f", lo, hi)
}

// predict evaluates the model for one stage at arrival rate lambda,
// arrival SCV ca2 and mean service time s; n is the number of requests
// the stage sent. stage seeds the simulation, so evaluations of one stage
// at different s share their random numbers and their difference is not
// simulation noise.
func (m *model) predict(kind modelKind, lambda, ca2, s float64, n int64, stage int) (prediction, error) {
	var p prediction
	if kind == kindNone || !(lambda > 0) || (!(s > 0) && kind != kindTB && kind != kindTBSim) {
		return p, errors.New("no model")
	}
	mu := 1 / s
	p.util = lambda * s / float64(m.c)
	switch kind {
	case kindMMCK:
		q, err := queueing.NewMMCK(lambda, mu, m.c, m.k)
		if err != nil {
			return p, err
		}
		p.block, p.mean, p.p99 = q.BlockProb(), q.MeanResponse(), q.ResponseQuantile(0.99)
		p.haveBlock, p.haveMean, p.haveP99 = true, true, true
		p.relax = m.relaxation(lambda, mu)
	case kindSimK:
		res, err := m.simulate(kind, lambda, ca2, s, n, stage)
		if err != nil {
			return p, err
		}
		p.block, p.blockHW = res.BlockRatio.Value, res.BlockRatio.HalfWidth
		p.mean, p.meanHW = res.MeanResponse.Value, res.MeanResponse.HalfWidth
		p.p99, p.p99HW = res.ResponseQuantiles[0].Value, res.ResponseQuantiles[0].HalfWidth
		p.haveBlock, p.haveMean, p.haveP99 = isFinite(p.block), isFinite(p.mean), isFinite(p.p99)
		p.relax = m.relaxation(lambda, mu) * math.Max(1, (ca2+m.svc.scv)/2)
		setNoise(&p, res, n)
	case kindMMCD, kindSimD, kindTB, kindTBSim, kindTBQueue:
		return m.predictShed(kind, p, lambda, ca2, s, n, stage)
	default:
		return m.predictUnbounded(kind, p, lambda, ca2, s)
	}
	return p, nil
}

// predictUnbounded covers M/M/c, G/G/c and the K-unknown bounds.
func (m *model) predictUnbounded(kind modelKind, p prediction, lambda, ca2, s float64) (prediction, error) {
	mu := 1 / s
	if m.kUnknown {
		p.block, p.haveBlock, p.blockLower = math.Max(0, 1-1/p.util), true, true
	} else {
		p.haveBlock = true // an unbounded queue rejects nothing
	}
	if p.util >= 1 {
		if !m.kUnknown {
			p.unstable = true
		}
		p.why = fmt.Sprintf("ρ = %.3g ≥ 1", p.util)
		return p, nil
	}
	p.relax = queueing.RelaxationTimeMMCK(lambda, mu, m.c, 0)
	if kind == kindMMC {
		q, err := queueing.NewMMC(lambda, mu, m.c)
		if err != nil {
			return p, err
		}
		p.mean, p.p99 = q.MeanResponse(), q.ResponseQuantile(0.99)
	} else {
		d, err := dist.FromMeanSCV(s, m.svc.scv)
		if err != nil {
			return p, err
		}
		g, err := queueing.NewGGcApprox(lambda, m.c, d, ca2)
		if err != nil {
			return p, err
		}
		p.mean, p.p99 = g.MeanResponse(), g.ResponseQuantile(0.99)
		p.relax *= math.Max(1, (ca2+m.svc.scv)/2)
	}
	p.haveMean, p.haveP99 = isFinite(p.mean), isFinite(p.p99)
	return p, nil
}

// relaxation is the M/M/c/K relaxation time; for a K too large to solve
// exactly, the unbounded queue's (the same chain when ρ < 1; +Inf, no
// steady state to batch, when ρ ≥ 1). The G/G kinds scale it by
// (ca² + cs²)/2, the heavy-traffic dependence on variability.
func (m *model) relaxation(lambda, mu float64) float64 {
	r := queueing.RelaxationTimeMMCK(lambda, mu, m.c, m.k)
	if math.IsNaN(r) {
		r = queueing.RelaxationTimeMMCK(lambda, mu, m.c, 0)
	}
	return r
}

// describe is the model's notes as one string.
func (m *model) describe() string { return strings.Join(m.notes, "; ") }
