package analysis

import (
	"fmt"
	"math"
	"slices"
	"strings"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// shedObs is what the recognition of the shedding mechanism reads from a
// result before any model is chosen (recognise.go).
type shedObs struct {
	shed, n429, other int64 // shed (503 + 429) and other non-2xx responses, whole run

	// The shed responses' latencies (all − 2xx histograms, per stage,
	// pooled): "late" above threshold, the level no immediate answer
	// reaches (ref + max(1 ms, ¼ of the lowest-load 2xx median)).
	latOK       bool // the histograms could be subtracted (and no other status muddies them)
	threshold   float64
	ref         float64 // the immediate reference: the lowest-load Server-Timing overhead (0 unknown)
	refKnown    bool
	late, early int64
	wall        [5]float64 // q10, q25, q50, q75, q90 of the late shed latencies, seconds
	shedMedian  float64    // median of all shed latencies
	// lagLate is the share of the shedding stages' requests sent later than
	// half the threshold (weighted by their shed answers): an immediate
	// answer to one of them looks late without the server's doing (the
	// generator fell behind).
	lagLate float64

	// In flight at rejection: the client's in-flight maximum of the windows
	// in which at least minShedWindow of the responses were shed. A system
	// that rejects at N = K has K admitted requests plus the rejected one in
	// flight at that moment, so the least such maximum is K + 1.
	rejWindows   int
	inFlightLow  int64   // least in-flight maximum over those windows
	inFlightHigh int64   // greatest
	inFlightQ1   int64   // their lower quartile: a stalled client's pile-up inflates the top, not this
	inFlightMean float64 // time-averaged in flight over those windows

	retryAfter string // Retry-After of the sampled 503 or 429, "" when none

	// The built-in target's own account, when scraped (--scrape).
	scraped       bool
	policy        string
	queueTimeout  float64
	rateLimit     float64
	burst         float64
	limitLo       float64 // least and greatest concurrency limit seen
	limitHi       float64
	limitMean     float64 // time-averaged AIMD limit (rate of its integral)
	scrapeWorkers float64
	scrapeQueue   float64
}

// minShedWindow is the shed fraction of a window's responses from which
// it counts as rejecting (one stray 503 in a second says little about the
// level at which the server sheds).
const minShedWindow = 0.02

// observeShedding reads the shedding features of the stages in data.
func observeShedding(r *result.Result, data []*stageData) *shedObs {
	o := &shedObs{}
	var low *stageData
	for _, d := range data {
		o.shed += d.n503
		o.n429 += d.st.Status["429"]
		o.other += d.responses - d.n2xx - d.n503
		if d.n2xx >= minP99Batch && d.tau > 0 && (low == nil || d.lambda < low.lambda) {
			low = d
		}
	}
	if low != nil {
		m2xx := low.st.Latency2xx.P50
		if low.srv != nil {
			o.ref, o.refKnown = low.robustOverhead(), true
		}
		o.threshold = o.ref + math.Max(1e-3, m2xx/4)
	}
	o.observeLatency(data)
	o.observeInFlight(data)
	o.retryAfter = retryAfterOf(r)
	o.observeScrape(data)
	return o
}

// observeLatency splits the shed responses' latencies at the threshold.
func (o *shedObs) observeLatency(data []*stageData) {
	if o.shed == 0 || o.threshold <= 0 || o.other > o.shed/100 {
		return
	}
	pooled := result.NewHistogram()
	var lagW float64
	for _, d := range data {
		if d.n503 == 0 {
			continue
		}
		h := shedHist(d.st)
		if h == nil {
			return
		}
		pooled.Merge(h)
		if lag, err := result.DecodeHist(d.st.HDR.SendLag); err == nil && lag.TotalCount() > 0 {
			above := 1 - countAtOrBelow(lag, int64(o.threshold*1e9/2))/float64(lag.TotalCount())
			o.lagLate += above * float64(d.n503)
			lagW += float64(d.n503)
		}
	}
	if lagW > 0 {
		o.lagLate /= lagW
	}
	if pooled.TotalCount() == 0 {
		return
	}
	o.latOK = true
	o.shedMedian = float64(result.QuantileNS(pooled, 50)) / 1e9
	cut := int64(o.threshold * 1e9)
	var lateVals []hdr.Bar
	for _, b := range pooled.Distribution() {
		if b.Count == 0 {
			continue
		}
		if b.To > cut {
			o.late += b.Count
			lateVals = append(lateVals, b)
		} else {
			o.early += b.Count
		}
	}
	if o.late == 0 {
		return
	}
	for i, q := range []float64{0.10, 0.25, 0.50, 0.75, 0.90} {
		o.wall[i] = barQuantile(lateVals, o.late, q)
	}
}

// shedHist is the latency histogram of a stage's non-2xx responses: all
// responses' less the 2xx ones', bucket by bucket (same geometry); nil when
// either does not decode or they do not subtract.
func shedHist(st *result.Stage) *hdr.Histogram {
	all, err1 := result.DecodeHist(st.HDR.Latency)
	ok, err2 := result.DecodeHist(st.HDR.Latency2xx)
	if err1 != nil || err2 != nil {
		return nil
	}
	a, b := all.Export(), ok.Export()
	if len(a.Counts) != len(b.Counts) {
		return nil
	}
	for i := range a.Counts {
		a.Counts[i] -= b.Counts[i]
		if a.Counts[i] < 0 {
			return nil
		}
	}
	return hdr.Import(a)
}

// countAtOrBelow is the number of values of h at or below v (by bucket).
func countAtOrBelow(h *hdr.Histogram, v int64) float64 {
	var n int64
	for _, b := range h.Distribution() {
		if b.To <= v {
			n += b.Count
		}
	}
	return float64(n)
}

// barQuantile is the q-quantile (type 1) of the values in bars (n of them),
// the upper end of the bucket that holds it, in seconds.
func barQuantile(bars []hdr.Bar, n int64, q float64) float64 {
	rank := max(1, int64(math.Ceil(q*float64(n))))
	var acc int64
	for _, b := range bars {
		acc += b.Count
		if acc >= rank {
			return float64(b.To) / 1e9
		}
	}
	return float64(bars[len(bars)-1].To) / 1e9
}

// maxInFlightSeen bounds a window's in-flight maximum the recognition
// believes: far above any generator's bound, far below int64's end.
const maxInFlightSeen = 1 << 30

// observeInFlight reads the in-flight level of the rejecting windows.
func (o *shedObs) observeInFlight(data []*stageData) {
	var area, span float64
	var maxima []int64
	for _, d := range data {
		for _, w := range d.windows {
			if w.responses == 0 || float64(w.n503) < minShedWindow*float64(w.responses) || w.n503 < 2 {
				continue
			}
			if w.inFlightMax < 1 || w.inFlightMax > maxInFlightSeen {
				continue // not a client's count: a hostile file's (K's arithmetic would wrap)
			}
			maxima = append(maxima, w.inFlightMax)
			if o.rejWindows == 0 || w.inFlightMax < o.inFlightLow {
				o.inFlightLow = w.inFlightMax
			}
			o.inFlightHigh = max(o.inFlightHigh, w.inFlightMax)
			o.rejWindows++
			area += w.inFlightMean * w.dur
			span += w.dur
		}
	}
	if span > 0 {
		o.inFlightMean = area / span
	}
	if len(maxima) > 0 {
		slices.Sort(maxima)
		o.inFlightQ1 = maxima[(len(maxima)-1)/4]
	}
}

// retryAfterOf is the Retry-After of the sampled 503 (else 429) response.
func retryAfterOf(r *result.Result) string {
	if r.Samples == nil {
		return ""
	}
	for _, code := range []string{"503", "429"} {
		if s, ok := r.Samples.Responses[code]; ok {
			for k, v := range s.Headers {
				if strings.EqualFold(k, "Retry-After") {
					return v
				}
			}
		}
	}
	return ""
}

// Names of the built-in target's metrics (internal/targets; duplicated
// here because analysis must not import the server).
const (
	scrapePolicyPrefix = "bploadgen_target_policy_info{policy="
	scrapeQueueTimeout = "bploadgen_target_queue_timeout_seconds"
	scrapeRateLimit    = "bploadgen_target_rate_limit_rps"
	scrapeRateBurst    = "bploadgen_target_rate_limit_burst"
	scrapeLimit        = "bploadgen_target_concurrency_limit"
	scrapeLimitRate    = "rate(bploadgen_target_concurrency_limit_seconds_total)"
	scrapeWorkers      = "bploadgen_target_workers"
	scrapeQueueCap     = "bploadgen_target_queue_capacity"
)

// observeScrape reads the built-in target's own account of its policy.
func (o *shedObs) observeScrape(data []*stageData) {
	var limSum float64
	var limN, rateN int
	for _, d := range data {
		for _, w := range d.windows {
			for k, v := range w.scrape {
				if strings.HasPrefix(k, scrapePolicyPrefix) && v == 1 {
					o.policy = strings.Trim(strings.TrimPrefix(k, scrapePolicyPrefix), `"}`)
					o.scraped = true
				}
			}
			if !o.scraped {
				continue
			}
			o.queueTimeout, o.rateLimit, o.burst = w.scrape[scrapeQueueTimeout], w.scrape[scrapeRateLimit], w.scrape[scrapeRateBurst]
			o.scrapeWorkers, o.scrapeQueue = w.scrape[scrapeWorkers], w.scrape[scrapeQueueCap]
			if v, ok := w.scrape[scrapeLimit]; ok {
				if limN == 0 || v < o.limitLo {
					o.limitLo = v
				}
				o.limitHi = max(o.limitHi, v)
				limN++
			}
			if v, ok := w.scrape[scrapeLimitRate]; ok && v > 0 {
				limSum += v
				rateN++
			}
		}
	}
	if rateN > 0 {
		o.limitMean = limSum / float64(rateN)
	}
}

// lateShare is the fraction of shed responses that came back late.
func (o *shedObs) lateShare() float64 {
	if o.late+o.early == 0 {
		return 0
	}
	return float64(o.late) / float64(o.late+o.early)
}

// wallSpread is (q50 − q10)/q50 of the late shed latencies: small for a
// queue timeout (every one waited the same D). The upper half is left
// out: a generator that fell behind makes answers late, never early.
func (o *shedObs) wallSpread() float64 {
	if o.wall[2] <= 0 {
		return math.Inf(1)
	}
	return (o.wall[2] - o.wall[0]) / o.wall[2]
}

// describeLatency is the evidence line of the shed latencies.
func (o *shedObs) describeLatency() string {
	if !o.latOK {
		return ""
	}
	s := fmt.Sprintf("%d of %d shed responses came back after more than %s (no immediate answer takes that long here)",
		o.late, o.late+o.early, numfmt.Seconds(o.threshold))
	if o.late > 0 {
		s += fmt.Sprintf("; those took %s (p10 %s, p90 %s)", numfmt.Seconds(o.wall[2]), numfmt.Seconds(o.wall[0]), numfmt.Seconds(o.wall[4]))
	}
	if o.early > 0 {
		s += fmt.Sprintf("; the median shed response took %s", numfmt.Seconds(o.shedMedian))
	}
	return s
}
