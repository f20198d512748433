package analysis

import (
	"errors"
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// analyzer carries one analysis.
type analyzer struct {
	r    *result.Result
	spec ModelSpec
	data []*stageData
	svc  *service
	ovh  *overheadInfo
	sh   *recognition // how the target sheds (recognise.go)
	shed *shedCodes   // the status codes counted as shed (shedcodes.go)
	m    *model
	warn []string
}

// newAnalyzer reads r's stages, counting as shed the codes spec gives or
// the result shows (recogniseShedCodes).
func newAnalyzer(r *result.Result, spec ModelSpec) *analyzer {
	an := &analyzer{r: r, spec: spec, shed: recogniseShedCodes(r, spec.ShedStatus)}
	an.data, an.warn = collectShed(r, an.shed)
	return an
}

func (an *analyzer) warnf(format string, args ...any) {
	an.warn = append(an.warn, fmt.Sprintf(format, args...))
}

// Analyze is the capacity analysis of r with what spec says about the
// server (package doc). It fails only for a nil result or an invalid spec;
// every problem of the data becomes a warning or a stage verdict.
func Analyze(r *result.Result, spec ModelSpec) (*result.Analysis, error) {
	if r == nil {
		return nil, errors.New("analyze: no result")
	}
	if err := spec.Validate(); err != nil {
		return nil, fmt.Errorf("analyze: %w", err)
	}
	an := newAnalyzer(r, spec)
	a := &result.Analysis{Level: level, Stages: []result.StageAnalysis{}, Metastability: metastability(r)}
	if len(an.data) == 0 {
		a.Model.Name = "none"
		a.Warnings = append(an.warn, "the result has no stages")
		return a, nil
	}
	obs := observeShedding(r, an.data)
	an.ovh = measureOverhead(an.data, obs)
	if retriesSent(r) > 0 {
		// A request's latency runs across its waits between attempts:
		// no queue in front of the target.
		an.ovh.upstream = ""
	}
	if an.ovh.upstream != "" {
		an.warn = append(an.warn, an.ovh.upstream)
	}
	if an.ovh.lowKnown {
		obs.ref = an.ovh.low
	}
	an.svc = resolveService(r, an.data, spec, an.ovh)
	an.warn = append(an.warn, an.svc.warnings...)
	if w := an.cutOffWarning(obs); w != "" { // baseloss.go
		an.warn = append(an.warn, w)
	}
	a.Knee = findKnee(an.data)
	if w := baseLossWarning(an.data); w != "" {
		an.warn = append(an.warn, w)
	}
	an.sh = an.recognise(obs, a.Knee)
	c, k, kUnknown := an.shape(a.Knee)
	an.correctService(c)
	an.m = chooseModel(an.data, r.Arrival, c, k, kUnknown, an.svc, seedOf(r))
	an.m.adoptShedding(an.sh, an.data, an.svc)
	an.rebaseDelayedOverhead() // ratedelay.go
	for i := range an.data {
		a.Stages = append(a.Stages, an.stage(i))
	}
	an.capacity(a)
	an.runWarnings()
	bad := 0
	for _, d := range an.data {
		bad += d.badHist
	}
	if bad > 0 {
		an.warnf("%d timeline histograms could not be decoded: their windows count for the 503 ratio but not for latency intervals", bad)
	}
	a.Model = an.modelResult()
	a.Overhead = an.ovh.result()
	a.Shedding = an.sh.result()
	an.shed.annotate(a.Shedding)
	a.Warnings = an.warn
	sanitize(reflect.ValueOf(a))
	return a, nil
}

// Auto analyses r with nothing given ("estimate everything"). It returns
// nil, nil when no model can be formed — no service time (no Server-Timing
// and no stage to estimate it from) or no worker count (neither given nor
// visible as a throughput plateau) — since an analysis without predictions
// would only repeat the result's own numbers — unless its clients retried
// and it has metastability checks, which need no model.
func Auto(r *result.Result) (*result.Analysis, error) {
	a, err := Analyze(r, ModelSpec{})
	if err != nil || a == nil || a.Model.Name == "none" && len(a.Metastability) == 0 {
		return nil, err
	}
	return a, nil
}

// seedOf seeds the simulations from the run, so a result always gives
// the same analysis.
func seedOf(r *result.Result) uint64 { return uint64(r.Seed) ^ 0x62706c6f6164 }

// shape decides c and K: given, else from the recognised mechanism, else
// estimated.
func (an *analyzer) shape(knee *result.Knee) (c, k int, kUnknown bool) {
	c = an.spec.Workers
	mech := an.sh.best.mech
	if c == 0 && mech == mechConcurrency && an.sh.best.c > 0 {
		c = an.sh.best.c
		an.warnf("the worker count is the concurrency limit recognised from the in-flight level at which the target shed: %d", c)
	}
	if c == 0 && an.sh.shutOut {
		an.warnf("the worker count is not estimated: the target shut the load out (the shedding evidence), so its 2xx throughput tells its limiter, not its workers (give --workers)")
	} else if c == 0 && an.svc.known() && mech != mechRateLimit {
		c = an.estimateWorkers()
	}
	if c == 0 {
		return 0, 0, false
	}
	switch {
	case an.spec.QueueKnown:
		return c, c + an.spec.Queue, false
	case an.spec.Unbounded:
		return c, 0, false
	}
	switch mech {
	case mechBoundedQueue, mechConcurrency, mechAdaptive:
		return c, max(an.sh.best.k, c), false
	case mechQueueTimeout, mechRateLimit, mechUnbounded:
		return c, 0, false
	}
	for _, d := range an.data {
		if d.n503 > 0 {
			return c, 0, true
		}
	}
	an.warnf("the queue size is unknown and the target answered no 503: it is modelled as unbounded (give --queue if it has a bound)")
	return c, 0, false
}

// estimateWorkers estimates c from the throughput plateau (docs/queueing.md
// §5.4): once the target falls short of what was sent, its throughput is
// about c/E[S], so c ≈ X_max·E[S]. With Server-Timing the busy workers of
// each saturated stage are measured directly (utilisation law, busy =
// X·E[S] with the stage's own E[S]). 0 when no stage fell short or
// fell behind.
//
// Every stage's busy workers count, not only those from the first that
// fell short: X·E[S] ≤ c at any load, so the largest is the tightest
// lower bound, and past the knee a stage whose requests time out serves
// them all the same without a 2xx to count (gunicorn's 4 sync workers:
// 4.2 busy at the stage before the shortfall, 2.66 at the one after, with
// 1,489 timeouts, which made c = 3). A stage's throughput is what the
// target served while it ran (servedRate, completion.go), not the 2xx
// per second of its requests, which counts the backlog it left; and a
// backlog that grew shows the plateau where no 2xx fell short.
func (an *analyzer) estimateWorkers() int {
	start := -1
	base, _, _, obs := stageBaseLoss(an.data) // a loss at every load is no plateau (baseloss.go)
	for i, d := range an.data {
		if o := obs[i]; d.st.Sent > 0 && (o.shortfall-o.shortHW > base+kneeShortfall || d.backlogGrew()) {
			start = i
			break
		}
	}
	if start < 0 {
		an.warnf("the worker count is unknown and no stage pushed the target past its capacity (no throughput plateau): no predictions (give --workers, or offer more load)")
		return 0
	}
	busy, how := 0.0, ""
	for _, d := range an.data {
		if d.tau <= 0 {
			continue
		}
		if d.srv != nil {
			if b := d.servedRate(d.srv.n) * d.srv.svcMn; b > busy { // completion.go
				busy = b
				how = fmt.Sprintf("busy workers X·E[S] = %.2f ± %.2f measured by Server-Timing at stage %d", b, an.busyHW(b, d.srv.n, d), d.st.Index)
			}
		} else if b := d.servedRate(d.n2xx) * an.svc.mean; b > busy {
			busy, how = b, fmt.Sprintf("X_max·E[S] = %.0f rps × %s = %.2f at stage %d", d.servedRate(d.n2xx), numfmt.Seconds(an.svc.mean), b, d.st.Index)
		}
	}
	c := int(math.Round(busy))
	if c < 1 {
		return 0
	}
	proxy := ""
	if an.ovh.upstream != "" && strings.Contains(how, "Server-Timing") {
		// The slots are what the queue feeds: a proxy's connections, or
		// the server's own threads, each held for the target's E[S] and
		// what Server-Timing leaves out (a proxy's round trip to it).
		proxy = "; the target's queue is in front of its Server-Timing (the overhead above): c counts the slots that queue feeds (a proxy's connections, or the server's own workers) at the E[S] Server-Timing reports, which leaves out what a slot is held for beyond it (a proxy's round trip to the target), so the limit (HAProxy's maxconn, Tomcat's maxThreads) can be above c"
	}
	an.warnf("the worker count was estimated from the throughput plateau: c ≈ %s → %d (a saturated target's throughput is c/E[S]; if it was not fully saturated this is a lower bound; give --workers)%s", how, c, proxy)
	return c
}

// capacity sets the capacity and its source.
func (an *analyzer) capacity(a *result.Analysis) {
	for _, d := range an.data {
		if d.tau > 0 {
			// What the target served while the stage ran: a backlog
			// answered after it ends counts for the stage's 2xx but is
			// not throughput (completion.go).
			x := float64(d.n2xx) / d.tau
			if d.backlogGrew() {
				x = d.servedRate(d.n2xx)
			}
			a.MaxThroughputRPS = math.Max(a.MaxThroughputRPS, x)
		}
	}
	switch {
	case an.m.mech == mechRateLimit && an.m.rate > 0:
		a.CapacityRPS, a.CapacitySource = an.m.rate, "rate limit"
	case an.m.c > 0 && an.svc.known():
		a.CapacityRPS = float64(an.m.c) / an.svc.mean
		a.CapacitySource = "model"
		if an.spec.Workers == 0 {
			a.CapacitySource = "plateau"
			if an.fellBehind() || an.sh.best.mech == mechUnknown {
				// c was rounded from what the target served; once it
				// fell behind, the most it served is the capacity itself,
				// and so it is when no mechanism explains the run (no
				// model says how far from saturated the plateau was).
				a.CapacityRPS = a.MaxThroughputRPS
			}
		}
	case a.Knee != nil && a.Knee.Criterion == "throughput":
		a.CapacityRPS, a.CapacitySource = a.MaxThroughputRPS, "plateau"
	}
	if x, ok := an.saturatedCapacity(a); ok {
		a.CapacityRPS, a.CapacitySource = x, "saturated stage"
	}
	if x, _ := an.sustained(); a.CapacityRPS > 0 && a.CapacityRPS < x {
		// Never below what the target sustained over a whole stage (issue #12).
		a.CapacityRPS, a.CapacitySource = x, "plateau"
	}
}

// runWarnings adds the run-level validity warnings (docs/queueing.md §8 gates).
func (an *analyzer) runWarnings() {
	r := an.r
	if r.Interrupted {
		an.warnf("the run was interrupted: its last stage is partial and requests still in flight were abandoned")
	}
	if n := retriesSent(r); n > 0 {
		an.warnf("the clients retried: the stages' rates, 503s and latencies are their logical requests' (%s retries on top of them reached the target; each request's latency runs across its waits between attempts), so a prediction for the target at the stage's rate does not describe them (the retry table has the attempts)", numfmt.Int(n))
	}
	if r.GeneratorLimited {
		an.warnf("the generator limited the load (requests not sent, or a large send lag): predictions use the achieved rate, but the arrivals the target saw were not the plan's")
	}
	var errs int64
	for _, d := range an.data {
		errs += d.errors
	}
	if errs > 0 {
		an.warnf("%d requests ended in transport errors: they are outside the 503 ratios and the latencies (a timeout hides a latency ≥ the timeout)", errs)
	}
	if an.svc.source == SourceEstimated && an.m.c > 0 {
		low := an.data[0]
		for _, d := range an.data {
			if d.lambda > 0 && d.lambda < low.lambda {
				low = d
			}
		}
		if rho := low.lambda * an.svc.mean / float64(an.m.c); rho > 0.3 {
			an.warnf("the lowest-load stage ran at ρ ≈ %.2f: its response times include queueing, so the estimated E[S] is high (run a stage at ρ ≲ 0.1)", rho)
		}
	}
}

// modelResult describes the model for the document.
func (an *analyzer) modelResult() result.Model {
	m, s := an.m, an.svc
	out := result.Model{Name: m.name, Workers: m.c, Kendall: m.kendall, Tolerance: m.tolerance(m.kind), Notes: m.describe()}
	if s.known() {
		out.ServiceMeanS, out.ServiceSCV, out.Source, out.ServiceMeanCIS = s.mean, s.scv, s.source, s.hw
		if s.source != SourceServerTiming {
			out.ServiceMeasuredS = s.measured
		}
	}
	switch {
	case m.k > 0:
		out.Queue, out.SystemCapacity, out.QueueSource = m.k-m.c, m.k, "given"
		if !an.spec.QueueKnown {
			out.QueueSource = "estimated"
		}
	case an.spec.Unbounded, m.mech == mechQueueTimeout:
		out.QueueSource = "unbounded"
	case m.c > 0 || an.spec.QueueKnown:
		out.QueueSource = "unknown"
	}
	if m.c > 0 {
		out.WorkersSource = "given"
		if an.spec.Workers == 0 {
			out.WorkersSource = "estimated"
		}
	}
	return out
}
