package analysis

import (
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// stageData is what the analysis reads from one stage, computed once.
type stageData struct {
	st  *result.Stage
	pos int // position in Result.Stages

	tau    float64 // stage length, seconds
	lambda float64 // achieved arrival rate sent/τ: the λ of every prediction

	responses int64 // HTTP responses: requests that reached the server
	n503      int64 // shed responses: 503 and 429 (a rate limit's "too many requests"), and any other code counted as shed (shedcodes.go)
	n2xx      int64
	errors    int64
	shed      *shedCodes // the codes n503 counts

	ca2Raw float64 // measured arrival SCV of the send times
	ca2    float64 // less the part explained by send-time jitter (2·Var(lag)·λ²)

	srv *srvStats // Server-Timing, when the target sent it

	// otherDone is the number of completions within the stage's span
	// (completion.go) that were not 2xx: its answers and fast errors,
	// and the timeouts of any stage that ended in it.
	otherDone float64

	windows []windowData // the timeline windows wholly inside the stage
	// means2xx: the windows' mid-times and mean 2xx latencies (seconds),
	// of the windows with a 2xx; decoded once, on first use (meanSeries).
	means2xx   [2][]float64
	meansReady bool
	memo       map[batchKey][]batch
	badHist    int // window histograms that did not decode
}

// srvStats summarises one stage's Server-Timing entries (2xx responses).
type srvStats struct {
	n                int64   // svc entries
	queueMean, svcMn float64 // seconds
	svcVar           float64 // sample variance of svc, s²
	queueP99, svcP99 float64
	queueP50, svcP50 float64
}

// windowData is one 1-second timeline window's counts and 2xx histogram
// (still encoded: decoded one batch at a time, so a long run's timeline
// never sits in memory as dense histograms).
type windowData struct {
	t, dur    float64
	sent      int64
	responses int64
	n503      int64
	n2xx      int64
	hdr       result.WindowHDR // its histograms, where the result keeps them (lat2xx)
	errors    int64            // transport errors of the window's requests
	timeouts  int64            // of which timeouts, which end one timeout after the send

	inFlightMax  int64              // the client's in-flight maximum in the window
	inFlightMean float64            // and its time average
	scrape       map[string]float64 // the target's metrics sampled in the window
}

// lat2xx is the window's encoded 2xx latency histogram: "" when the
// result has none, or its spill could not be read (then it is missing
// as a window without histograms is).
func (w *windowData) lat2xx() string {
	enc, err := w.hdr.Latency2xxEnc()
	if err != nil {
		return ""
	}
	return enc
}

// minGapsForSCV is the number of send gaps below which a stage's arrival
// SCV is not used to choose the model (its sampling SD, 2/√n for Poisson,
// would exceed 0.2).
const minGapsForSCV = 100

// collect reads every stage, counting as shed the codes recognised with
// none given (recogniseShedCodes). Problems that do not stop the analysis
// come back as warnings.
func collect(r *result.Result) ([]*stageData, []string) {
	return collectShed(r, recogniseShedCodes(r, nil))
}

// collectShed is collect with the codes counted as shed.
func collectShed(r *result.Result, shed *shedCodes) ([]*stageData, []string) {
	var warns []string
	out := make([]*stageData, 0, len(r.Stages))
	for i := range r.Stages {
		st := &r.Stages[i]
		d := &stageData{st: st, pos: i, tau: st.LengthS(), shed: shed}
		if d.tau > 0 && isFinite(d.tau) {
			d.lambda = float64(st.Sent) / d.tau
		} else {
			d.tau = 0
		}
		d.responses = st.Responses()
		d.n503 = shed.count(st.Status)
		d.n2xx, _ = result.Count(st.Status, nil, 0, "2xx")
		d.errors = st.ErrorCount()
		d.ca2Raw = finiteOr(st.ArrivalSCV, 0)
		d.ca2 = d.ca2Raw
		if lag, err := result.DecodeHist(st.HDR.SendLag); err == nil && lag.TotalCount() >= 4 {
			sd := jitterSD(lag)
			d.ca2 = math.Max(0, d.ca2Raw-2*sd*sd*d.lambda*d.lambda)
		}
		d.srv = serverStats(st)
		for j := range r.Timeline {
			w := &r.Timeline[j]
			if !inside(w, st) {
				continue
			}
			wd := windowData{t: w.TS, dur: w.DurationS, sent: w.Sent, n503: shed.count(w.Status), hdr: w.HDR,
				inFlightMax: w.InFlightMax, inFlightMean: w.InFlightMean, scrape: w.Scrape}
			for _, v := range w.Status {
				wd.responses += v
			}
			wd.n2xx, _ = result.Count(w.Status, nil, 0, "2xx")
			wd.timeouts = w.Errors[result.ErrTimeout]
			wd.errors, _ = result.Count(nil, w.Errors, 0, "errors")
			d.windows = append(d.windows, wd)
		}
		out = append(out, d)
	}
	timeoutsDue(out, r.TimeoutS)
	return out, warns
}

// jitterSD is the spread of the independent part of the send lag, in
// seconds: the interquartile range / 1.349 (the SD of a normal with that
// IQR). Independent jitter J adds 2·Var(J)·λ² to the SCV of the send gaps
// without making the arrivals any burstier for the server (consecutive
// gaps are negatively correlated; docs/queueing.md §4), so it is removed. The
// tail of the lag is left in: a generator stall delays a run of sends
// together and then releases them as a burst, which the server does see.
func jitterSD(lag *hdr.Histogram) float64 {
	q1, q3 := float64(result.QuantileNS(lag, 25)), float64(result.QuantileNS(lag, 75))
	return math.Max(0, q3-q1) / 1.349 / 1e9
}

// inside reports whether the window lies wholly within the stage (to 1 ms,
// the slack of float seconds).
func inside(w *result.Window, st *result.Stage) bool {
	const eps = 1e-3
	return w.DurationS > 0 && w.TS >= st.StartS-eps && w.TS+w.DurationS <= st.EndS+eps
}

// serverStats reads a stage's Server-Timing summary, nil when absent.
func serverStats(st *result.Stage) *srvStats {
	t := st.ServerTiming
	if t == nil || t.Service.Count < 1 {
		return nil
	}
	s := &srvStats{n: t.Service.Count, queueMean: t.Queue.Mean, svcMn: t.Service.Mean,
		queueP99: t.Queue.P99, svcP99: t.Service.P99, queueP50: t.Queue.P50, svcP50: t.Service.P50}
	if t.ServiceSum > 0 {
		s.svcMn = t.ServiceSum / float64(s.n)
		if s.n > 1 {
			s.svcVar = math.Max(0, (t.ServiceSumSq-float64(s.n)*s.svcMn*s.svcMn)/float64(s.n-1))
		}
	} else if h, err := result.DecodeHist(st.HDR.ServerService); err == nil && h.TotalCount() > 1 {
		sd := h.StdDev() / 1e9
		s.svcVar = sd * sd
	}
	if !isFinite(s.svcMn) || !isFinite(s.svcVar) || !isFinite(s.queueMean) || s.svcMn <= 0 {
		return nil
	}
	return s
}

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

func finiteOr(v, def float64) float64 {
	if isFinite(v) {
		return v
	}
	return def
}

// robustOverhead is the stage's typical client overhead from medians:
// p50(2xx latency) − p50(svc) − p50(queue). Unlike the difference of
// means it is not moved by a minority of requests that waited somewhere
// the server does not see (a burst queued in a proxy); it needs the
// overhead to be nearly constant, and ≥ 0.
func (d *stageData) robustOverhead() float64 {
	if d.srv == nil {
		return 0
	}
	return math.Max(0, d.st.Latency2xx.P50-d.srv.svcP50-d.srv.queueP50)
}

// meanSeries is the stage's windows' mid-times and mean 2xx latencies
// (seconds), for the windows that have a 2xx: each window's histogram is
// decoded once per analysis, however many checks read the series, into the
// sparse form (a long run has many windows; a dense decode costs 200 KB).
func (d *stageData) meanSeries() (xs, ys []float64) {
	if !d.meansReady {
		d.meansReady = true
		var dec result.Decoder
		for _, w := range d.windows {
			if h, err := dec.Packed(w.lat2xx()); err == nil && h.TotalCount() > 0 {
				d.means2xx[0] = append(d.means2xx[0], w.t+w.dur/2)
				d.means2xx[1] = append(d.means2xx[1], h.Mean()/1e9)
			}
		}
	}
	return d.means2xx[0], d.means2xx[1]
}
