package sizing

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
)

// Unbounded marks a queue bound that does not limit K.
const Unbounded = -1

// QueueBounds are the §6.2 bounds on the system capacity K (= c + waiting
// slots) for a given worker count. 0 means "not computed".
type QueueBounds struct {
	// MinBlock is the smallest K whose predicted block ratio is ≤ MaxReject;
	// BlockBelow is the predicted block ratio at MinBlock − 1 (NaN if
	// MinBlock = c or it was not computed).
	MinBlock   int
	BlockBelow float64
	// MaxMean is the latency budget by Little / drain rate: waiting slots
	// ≤ cμ·(SLO − E[S]), so that the last admitted request's mean wait stays
	// within SLO − E[S].
	MaxMean int
	// MaxPct is the largest K whose admitted-request quantile stays ≤ the
	// SLO (Unbounded when every K does; exact M/M/c/K only).
	MaxPct int
	// MaxWorst is the largest K for which even the last-in-line request
	// meets the SLO quantile: P(Erlang(K−c, cμ) + S > SLO) ≤ 1−p. It is the
	// strictest bound (exponential service only).
	MaxWorst int
}

// Prediction is what the model predicts for ADMITTED requests at the chosen
// (c, K). Exact models have zero half-widths; simulations carry their
// batch-means 95% intervals.
type Prediction struct {
	ResponseP50  queueing.Estimate // seconds
	ResponseP99  queueing.Estimate // seconds
	ResponseSLO  queueing.Estimate // the SLO's quantile, seconds
	ResponseMean queueing.Estimate // seconds
	BlockRatio   queueing.Estimate // fraction of arrivals rejected
	Busy         float64           // per-worker busy fraction λ(1 − P_block)·E[S]/c
}

// Result is Size's answer. When Feasible is false, Reason says why in plain
// language and the numeric fields describe the closest attempt (Workers is 0
// when no worker count helps).
type Result struct {
	Feasible bool
	Reason   string

	Workers  int // c
	Queue    int // waiting slots Q = K − c (what `bploadgen target --queue` takes)
	Capacity int // K = c + Q, the system capacity of the M/M/c/K notation

	Utilization float64 // offered ρ = λ·E[S]/c
	Model       string  // Kendall notation of the model: "M/M/c/K", "D/LN/c/K", ...
	Method      string  // "exact" (M/M/c/K formulas) or "simulation"
	Predicted   Prediction
	// UnboundedSLO is the SLO quantile with the same c and an unbounded queue
	// (exact M/M/c, or the G/G/c heuristic of §4); NaN when ρ ≥ 1.
	UnboundedSLO float64
	Bounds       QueueBounds

	Start          int    // Halfin–Whitt square-root staffing start of the search
	HeuristicStart int    // simulation only: first c simulated, from the G/G/c heuristic
	Below          string // why Workers − 1 does not meet the objectives
	SimArrivals    int    // arrivals per simulation (method "simulation")
	Simulations    int    // simulations run
	Notes          []string
}

// Size recommends the smallest worker count c and a queue for it (docs/queueing.md
// §6): c must keep ρ ≤ MaxUtilization and ρ < 1 (a plan that only a queue
// limit keeps afloat is not a plan: docs/queueing.md §6.2, overload), and some K must lie in
// [K_min_block, K_max_latency], where K_min_block is the least capacity with
// block ratio ≤ MaxReject and K_max_latency is the least of the latency
// budget (MaxMean) and the largest K whose admitted p-quantile meets the SLO.
// The recommended K is K_min_block (a larger K only adds latency).
//
// Poisson arrivals with exponential service use the exact M/M/c/K formulas.
// Anything else is decided by the seeded G/G/c/K simulator (the G/G/c
// heuristic of §4 picks the first worker count to simulate); r seeds it and
// may be nil in the exact case. The search starts at Halfin–Whitt square-root
// staffing for P(wait) = 1−p, at which T_p ≈ S_p, so it is about feasible.
//
// Invalid input is an error; objectives that cannot be met are not: they come
// back with Feasible false and a Reason.
func Size(spec Spec, r *rand.Rand) (*Result, error) {
	s, err := newSizer(spec, r)
	if err != nil {
		return nil, err
	}
	return s.run(), nil
}

// sizer holds the derived quantities of one Size call.
type sizer struct {
	spec     Spec
	a        float64 // offered load, Erlangs
	maxUtil  float64
	exact    bool
	arrivals dist.Sampler
	seed1    uint64
	seed2    uint64
	cache    map[int]*candidate
	sims     map[[2]int]*queueing.SimResult
	nsims    int
	simErr   error // first simulation failure (a bug: inputs were validated)
}

// candidate is the evaluation of one worker count.
type candidate struct {
	c      int
	ok     bool
	reason string
	k      int // chosen K; 0 if none
	pred   Prediction
	bounds QueueBounds
}

func newSizer(spec Spec, r *rand.Rand) (*sizer, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	if spec.MaxUtilization == 0 {
		spec.MaxUtilization = 1
	}
	if !(spec.MaxUtilization > 0 && spec.MaxUtilization <= 1) {
		return nil, fmt.Errorf("max utilisation must be in (0, 1], got %g", spec.MaxUtilization)
	}
	if spec.Workers < 0 || spec.Workers > queueing.MaxCapacity {
		return nil, fmt.Errorf("workers must be in [0, %d], got %d", queueing.MaxCapacity, spec.Workers)
	}
	if spec.SimArrivals == 0 {
		spec.SimArrivals = DefaultSimArrivals
	}
	if spec.SimArrivals < 1000 || spec.SimArrivals > queueing.MaxSimArrivals/2 {
		return nil, fmt.Errorf("arrivals per simulation must be in [1000, %d], got %d", queueing.MaxSimArrivals/2, spec.SimArrivals)
	}
	a := spec.Rate * spec.Service.Mean
	if math.IsNaN(a) || math.IsInf(a, 0) || a > queueing.MaxCapacity/10 {
		return nil, fmt.Errorf("offered load λ·E[S] = %g Erlangs is out of range", a)
	}
	s := &sizer{
		spec: spec, a: a, maxUtil: spec.MaxUtilization,
		exact: spec.ArrivalSCV == 1 && spec.Service.Kind == dist.Exponential,
		cache: map[int]*candidate{}, sims: map[[2]int]*queueing.SimResult{},
	}
	if !s.exact {
		if r == nil {
			return nil, errors.New("size: a random source is needed to simulate non-M/M cases")
		}
		arr, err := dist.Interarrivals(spec.Rate, spec.ArrivalSCV)
		if err != nil {
			return nil, err
		}
		s.arrivals = arr
		s.seed1, s.seed2 = r.Uint64(), r.Uint64()
	}
	return s, nil
}

func (s *sizer) mu() float64 { return 1 / s.spec.Service.Mean }

// label is the SLO's quantile label, "p99".
func (s *sizer) label() string { return numfmt.Quantile(s.spec.SLO.Quantile) }

func (s *sizer) run() *Result {
	sp := s.spec
	out := &Result{Method: "exact", Model: "M/M/c/K", UnboundedSLO: math.NaN()}
	if !s.exact {
		out.Method = "simulation"
		out.Model = arrivalKendall(sp.ArrivalSCV) + "/" + sp.Service.Kendall() + "/c/K"
		out.SimArrivals = sp.SimArrivals
	}
	// Feasibility: T_p ≥ S_p whatever c and K (docs/queueing.md §6.1 rule 4).
	if sq := sp.Service.Quantile(sp.SLO.Quantile); sq > sp.SLO.Target {
		out.Reason = fmt.Sprintf("the service time alone breaks the SLO: its %s is %s (%s), above %s, so no number of workers or queue size can meet %s; make requests faster or relax the SLO",
			s.label(), numfmt.Seconds(sq), sp.Service, numfmt.Seconds(sp.SLO.Target), sp.SLO)
		return out
	}
	var best *candidate
	if sp.Workers > 0 {
		best = s.eval(sp.Workers)
	} else {
		cLow := max(1, int(math.Ceil(s.a/s.maxUtil-1e-9)))
		if float64(cLow) <= s.a {
			cLow = int(math.Floor(s.a)) + 1 // ρ < 1
		}
		start, err := queueing.SqrtStaffing(s.a, 1-sp.SLO.Quantile)
		if err != nil {
			start = cLow
		}
		start = max(start, cLow)
		out.Start = start
		if !s.exact {
			start = s.heuristicStart(cLow, start)
			out.HeuristicStart = start
		}
		hi := min(queueing.MaxCapacity, max(4*start, start+1000))
		c := queueing.SearchMin(cLow, hi, start, func(c int) bool { return s.eval(c).ok })
		if c > hi {
			out.Reason = fmt.Sprintf("no worker count up to %d meets %s with rejects ≤ %s", hi, sp.SLO, numfmt.Share(sp.MaxReject))
			out.Simulations = s.nsims
			return out
		}
		best = s.eval(c)
		if c > 1 {
			out.Below = s.eval(c - 1).reason
		}
	}
	out.Feasible, out.Reason = best.ok, best.reason
	out.Workers = best.c
	out.Utilization = s.a / float64(best.c)
	out.Bounds = best.bounds
	if best.k > 0 {
		out.Capacity, out.Queue = best.k, best.k-best.c
		out.Predicted = best.pred
	}
	if best.ok {
		s.finish(out, best)
	}
	out.Simulations = s.nsims
	return out
}

// heuristicStart is the smallest c ≥ max(cLow, ⌊a⌋+1) whose G/G/c heuristic
// p-quantile meets the SLO (unbounded queue), the first worker count to
// simulate.
func (s *sizer) heuristicStart(cLow, guess int) int {
	lo := max(cLow, int(math.Floor(s.a))+1)
	hi := min(queueing.MaxCapacity, max(4*guess, guess+1000))
	c := queueing.SearchMin(lo, hi, guess, func(c int) bool {
		g, err := queueing.NewGGcApprox(s.spec.Rate, c, s.spec.Service, s.spec.ArrivalSCV)
		return err == nil && g.ResponseQuantile(s.spec.SLO.Quantile) <= s.spec.SLO.Target
	})
	return min(c, hi)
}

// eval decides whether c workers can meet the objectives, with a queue.
func (s *sizer) eval(c int) *candidate {
	if cd, ok := s.cache[c]; ok {
		return cd
	}
	cd := s.evalUncached(c)
	s.cache[c] = cd
	return cd
}

func (s *sizer) evalUncached(c int) *candidate {
	sp := s.spec
	cd := &candidate{c: c, bounds: QueueBounds{BlockBelow: math.NaN()}}
	rho := s.a / float64(c)
	if floor := 1 - 1/rho; rho > 1 && floor > sp.MaxReject {
		cd.reason = fmt.Sprintf("%d workers are overloaded (ρ = %.3f): at least %s of requests must be rejected whatever the queue size (floor 1 − 1/ρ), more than the allowed %s; add workers or shed load",
			c, rho, numfmt.Share(floor), numfmt.Share(sp.MaxReject))
		return cd
	}
	if rho >= 1 {
		cd.reason = fmt.Sprintf("%d workers would run at or above capacity (ρ = %.3f ≥ 1): only rejects would keep the queue bounded", c, rho)
		return cd
	}
	if rho > s.maxUtil*(1+1e-12) {
		cd.reason = fmt.Sprintf("%d workers would run at ρ = %.3f, above the utilisation ceiling %.3g", c, rho, s.maxUtil)
		return cd
	}
	// Latency budget: Q ≤ cμ·(SLO − E[S]) (docs/queueing.md §6.2), never negative.
	budget := float64(c) * (sp.SLO.Target - sp.Service.Mean) / sp.Service.Mean
	cd.bounds.MaxMean = c + int(math.Floor(math.Max(0, budget)+1e-9))
	if s.exact {
		s.evalExact(cd)
	} else {
		s.evalSim(cd)
	}
	return cd
}

// blockTooHigh explains a candidate whose blocking target needs more than the
// latency budget allows.
func (s *sizer) blockTooHigh(cd *candidate, need string) {
	cd.reason = fmt.Sprintf("%d workers: keeping rejects ≤ %s needs %s, but the latency budget allows at most K = %d (%d waiting slots = cμ·(SLO − E[S]))",
		cd.c, numfmt.Share(s.spec.MaxReject), need, cd.bounds.MaxMean, cd.bounds.MaxMean-cd.c)
}

// sloTooHigh explains a candidate whose p-quantile breaks the SLO at K_min_block.
func (s *sizer) sloTooHigh(cd *candidate, k int, got float64) {
	cd.reason = fmt.Sprintf("%d workers: with K = %d (the least that keeps rejects ≤ %s) the predicted %s is %s, above %s",
		cd.c, k, numfmt.Share(s.spec.MaxReject), s.label(), numfmt.Seconds(got), numfmt.Seconds(s.spec.SLO.Target))
}

// finish adds the bounds and notes that are only worth computing for the answer.
func (s *sizer) finish(out *Result, best *candidate) {
	sp := s.spec
	c := best.c
	if s.exact {
		if m, err := queueing.NewMMC(sp.Rate, s.mu(), c); err == nil {
			out.UnboundedSLO = m.ResponseQuantile(sp.SLO.Quantile)
		}
		out.Bounds.MaxPct = s.maxPctExact(c, best.k, out.UnboundedSLO)
	} else if g, err := queueing.NewGGcApprox(sp.Rate, c, sp.Service, sp.ArrivalSCV); err == nil {
		out.UnboundedSLO = g.ResponseQuantile(sp.SLO.Quantile)
	}
	if sp.Service.Kind == dist.Exponential {
		out.Bounds.MaxWorst = s.maxWorst(c, best.bounds.MaxMean)
	}
	if !s.exact {
		e := best.pred.ResponseSLO
		if math.Abs(e.Value-sp.SLO.Target) <= e.HalfWidth {
			out.Notes = append(out.Notes, fmt.Sprintf("borderline: the simulated %s %s is within its 95%% interval of the SLO; simulate longer or add a worker for margin",
				s.label(), numfmt.Interval(e.Value, e.HalfWidth)))
		}
		b := best.pred.BlockRatio
		if b.Value+b.HalfWidth > sp.MaxReject {
			out.Notes = append(out.Notes, fmt.Sprintf("the simulated block ratio %s reaches the %s limit within its 95%% interval",
				numfmt.ShareInterval(b.Value, b.HalfWidth), numfmt.Share(sp.MaxReject)))
		}
	}
}

// arrivalKendall is the Kendall letter for an arrival SCV.
func arrivalKendall(scv float64) string {
	switch scv {
	case 0:
		return "D"
	case 1:
		return "M"
	default:
		return "G"
	}
}
