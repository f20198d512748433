package analysis

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Sources of the service time (result.Model.Source).
const (
	SourceGiven        = "given"
	SourceServerTiming = "server-timing"
	SourceEstimated    = "estimated"
)

// service is the resolved service-time distribution and how well it is known.
type service struct {
	mean, scv float64
	source    string
	// hw is δS, the half-width of the uncertainty of mean for stages
	// without their own Server-Timing measurement.
	hw float64
	// measured is the pooled Server-Timing mean (0 without Server-Timing)
	// and measuredHW its 95% half-width.
	measured, measuredHW float64
	// loadDependent: the stages' Server-Timing means differ beyond noise.
	loadDependent bool
	scvNote       string
	warnings      []string
}

// known reports whether a service time is available at all.
func (s *service) known() bool { return s != nil && s.mean > 0 }

// stageHW is δS for one stage: how far the model's E[S] may be from the
// stage's true mean service time. With Server-Timing the reference is the
// measurement — pooled over stages (± its 95% half-width) when the service
// time does not depend on the load, the stage's own otherwise — and
// δS = |E[S] − reference| + half-width, so a nominal E[S] that the target
// does not hit widens the band by the miss. Without Server-Timing it is the
// estimate's own uncertainty (0 for a given E[S]: the user's word).
func (s *service) stageHW(d *stageData) float64 {
	if s.measured == 0 {
		return s.hw
	}
	ref, refHW := s.measured, s.measuredHW
	if s.loadDependent && d.srv != nil && d.srv.n >= 2 {
		ref, refHW = d.srv.svcMn, queueing.NormalZ(level)*math.Sqrt(d.srv.svcVar/float64(d.srv.n))
	}
	return math.Abs(s.mean-ref) + refHW
}

// pooledServerTiming pools the Server-Timing svc entries of every stage:
// mean, SCV (sample variance / mean²), count and the 95% half-width of the
// mean (service times are independent draws, so the iid interval holds).
func pooledServerTiming(r *result.Result, data []*stageData) (mean, scv, hw float64, n int64, ok bool) {
	var sum, sumSq float64
	for _, d := range data {
		if d.srv == nil {
			continue
		}
		n += d.srv.n
		sum += d.srv.svcMn * float64(d.srv.n)
		sumSq += (d.srv.svcVar*float64(d.srv.n-1) + float64(d.srv.n)*d.srv.svcMn*d.srv.svcMn)
	}
	if n < 2 || !(sum > 0) {
		return 0, 0, 0, n, false
	}
	mean = sum / float64(n)
	scv = result.SCV(n, sum, sumSq)
	v := scv * mean * mean
	hw = queueing.NormalZ(level) * math.Sqrt(v/float64(n))
	return mean, scv, hw, n, true
}

// resolveService decides E[S] and its SCV: given by the user, else the
// target's Server-Timing, else estimated from the lowest-load stage.
func resolveService(r *result.Result, data []*stageData, spec ModelSpec, ovh *overheadInfo) *service {
	s := &service{}
	stMean, stSCV, stHW, stN, haveST := pooledServerTiming(r, data)
	if haveST {
		s.measured, s.measuredHW = stMean, stHW
	}
	switch {
	case spec.ServiceMean > 0:
		s.mean, s.source = spec.ServiceMean, SourceGiven
		if haveST {
			if d := math.Abs(spec.ServiceMean - stMean); d > stHW && d > 0.01*stMean {
				s.warnings = append(s.warnings, fmt.Sprintf(
					"the given E[S] = %s differs from the target's Server-Timing measurement %s ± %s (%+.1f%%); predictions use the given value and their bands include the difference",
					numfmt.Seconds(spec.ServiceMean), numfmt.Seconds(stMean), numfmt.Seconds(stHW), 100*(spec.ServiceMean/stMean-1)))
			}
		}
	case haveST:
		s.mean, s.source, s.hw = stMean, SourceServerTiming, stHW
	default:
		estimateService(data, ovh, s)
		if !s.known() {
			return s
		}
	}
	switch {
	case spec.SCVKnown:
		s.scv, s.scvNote = spec.ServiceSCV, "given"
	case haveST:
		s.scv, s.scvNote = stSCV, fmt.Sprintf("Server-Timing, %d samples", stN)
	case s.source == SourceEstimated:
		// set by estimateService
	default:
		s.scv, s.scvNote = 1, "assumed exponential (give --service-scv, or let the target send Server-Timing)"
	}
	if s.scv < 1e-6 {
		s.scv = 0 // float noise of a constant service time: deterministic
	}
	if haveST {
		s.checkLoadDependence(data)
	}
	return s
}

// Load dependence of the service time: a stage's Server-Timing mean m_i
// differs from the pooled mean m by more than loadDepZ standard errors
// (|m_i − m| / (sd_i/√n_i); 3.5 keeps the false-alarm rate under 0.5% for
// ten stages) and by more than loadDepRel of m.
const (
	loadDepZ   = 3.5
	loadDepRel = 0.01
)

// checkLoadDependence sets loadDependent and warns.
func (s *service) checkLoadDependence(data []*stageData) {
	lo, hi := math.Inf(1), math.Inf(-1)
	var ilo, ihi int
	for _, d := range data {
		if d.srv == nil || d.srv.n < 100 {
			continue
		}
		if d.srv.svcMn < lo {
			lo, ilo = d.srv.svcMn, d.st.Index
		}
		if d.srv.svcMn > hi {
			hi, ihi = d.srv.svcMn, d.st.Index
		}
		se := math.Sqrt(d.srv.svcVar / float64(d.srv.n))
		if diff := math.Abs(d.srv.svcMn - s.measured); diff > loadDepZ*se && diff > loadDepRel*s.measured {
			s.loadDependent = true
		}
	}
	if s.loadDependent {
		s.warnings = append(s.warnings, fmt.Sprintf(
			"the service time depends on the load: Server-Timing E[S] was %s at stage %d and %s at stage %d (pooled %s); each stage's band includes its own distance from the model's E[S]",
			numfmt.Seconds(lo), ilo, numfmt.Seconds(hi), ihi, numfmt.Seconds(s.measured)))
	}
}

// estimateService estimates E[S] from the lowest-load stage with enough
// responses (docs/queueing.md §5.2): at low load queueing is small, so
// E[S] ≈ mean response time from the actual send − overhead. The caveats go
// into the warnings.
func estimateService(data []*stageData, ovh *overheadInfo, s *service) {
	var low *stageData
	for _, d := range data {
		if d.st.ServiceTime.Count < minEstimateSamples || d.tau <= 0 {
			continue
		}
		if low == nil || d.lambda < low.lambda {
			low = d
		}
	}
	if low == nil {
		s.warnings = append(s.warnings, fmt.Sprintf("no service time: none given, no Server-Timing from the target, and no stage with %d responses to estimate it from", minEstimateSamples))
		return
	}
	st := low.st
	rMean := st.ServiceTime.Mean
	sd := 0.0
	if h, err := result.DecodeHist(st.HDR.ServiceTime); err == nil && h.TotalCount() > 1 {
		sd = h.StdDev() / 1e9
		rMean = h.Mean() / 1e9
	}
	o := 0.0
	if ovh != nil && ovh.source != overheadUnknown {
		o = math.Max(0, ovh.mean)
	}
	s.mean = rMean - o
	if !(s.mean > 0) {
		s.mean = rMean
		o = 0
	}
	s.source = SourceEstimated
	n := float64(st.ServiceTime.Count)
	// δS: the sampling error of the mean plus the overhead, which may be
	// wrong by as much as itself.
	s.hw = queueing.NormalZ(level)*sd/math.Sqrt(n) + o
	if s.mean > 0 {
		s.scv = math.Max(0, (sd*sd)/(rMean*rMean))
		s.scvNote = "estimated from the same stage's response times (includes the overhead's and any queueing's variability)"
	}
	w := fmt.Sprintf("E[S] = %s was estimated from the lowest-load stage (%d, %.0f rps, %d responses) as its mean response time from the actual send",
		numfmt.Seconds(s.mean), st.Index, low.lambda, st.ServiceTime.Count)
	if o > 0 {
		w += fmt.Sprintf(" less the %s overhead (%s)", numfmt.Seconds(o), ovh.source)
	}
	w += ": it still includes any network and client time the overhead estimate misses and any queueing at that load, so it is an upper estimate (capacity a lower one); the minimum or the median would not be E[S]. Give --service-time, or have the target send Server-Timing"
	s.warnings = append(s.warnings, w)
	if st.Status["503"] > 0 {
		s.warnings = append(s.warnings, fmt.Sprintf("the lowest-load stage %d already had 503s: the estimated E[S] mixes fast rejections with service", st.Index))
	}
}

// minEstimateSamples is the fewest responses a stage needs to estimate E[S].
const minEstimateSamples = 100
