package live

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// LatencyBuckets are the classic buckets of bploadgen_latency_seconds,
// seconds (scrapers without native histograms see these).
var LatencyBuckets = []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

// Source is what the metrics read at scrape time. Every field may be
// read while the run works.
type Source struct {
	Progress func() openloop.Progress // the engine's live counters
	Schedule *schedule.Schedule       // the plan: rate and stage now (RateAt only)
	// Retries, if set, is the number of requests the client resent on a
	// fresh connection (the H1 client's stale keep-alive retry).
	Retries func() int64
}

// maxCode bounds the status codes counted in the lock-free table; a
// conforming server sends three digits.
const maxCode = 1000

// Metrics are one run's live metrics. Observe is the per-request hook; the
// rest is read by the registry at scrape time.
type Metrics struct {
	src atomic.Pointer[Source]

	codes [maxCode]atomic.Uint64 // responses by status code
	odd   struct {               // codes outside [0, maxCode): never from a conforming server
		sync.Mutex
		n map[int]uint64
	}
	errs    [len(result.ErrorClasses)]atomic.Uint64 // errors by result.ErrorClasses index
	latency prometheus.Histogram

	target                                              string
	scheduled, sent, notSent, attempts, inFlight, offer *prometheus.Desc
	stage, responses, errors, info                      *prometheus.Desc
}

// NewMetrics returns the metrics of a run against target (already
// redacted: it is exposed as a label) and the private registry that
// exposes them.
func NewMetrics(target string) (*Metrics, *prometheus.Registry) {
	m := &Metrics{target: target}
	m.latency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:                            "bploadgen_latency_seconds",
		Help:                            "Latency of the responses from the intended send time to the end of the response, seconds.",
		Buckets:                         LatencyBuckets,
		NativeHistogramBucketFactor:     1.1,
		NativeHistogramMaxBucketNumber:  160,
		NativeHistogramMinResetDuration: time.Hour,
	})
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	m.scheduled = d("bploadgen_requests_scheduled_total", "Requests the plan scheduled so far (logical requests).")
	m.sent = d("bploadgen_requests_sent_total", "Scheduled requests sent.")
	m.notSent = d("bploadgen_requests_not_sent_total", "Scheduled requests not sent: the in-flight bound was reached.")
	m.attempts = d("bploadgen_attempts_total", "Requests put on the wire: sent plus the client's resends on a fresh connection.")
	m.inFlight = d("bploadgen_in_flight", "Requests sent and not yet ended.")
	m.offer = d("bploadgen_offered_rate", "The plan's rate now, requests per second (this shard's share); 0 after the plan's end.")
	m.stage = d("bploadgen_stage", "The plan's stage now, 1-based.")
	m.responses = d("bploadgen_responses_total", "Responses by HTTP status code.", "code")
	m.errors = d("bploadgen_errors_total", "Requests that ended without a response, by error class.", "class")
	m.info = d("bploadgen_run_info", "Always 1; the target URL, redacted.", "target")
	reg := prometheus.NewRegistry()
	reg.MustRegister(m, m.latency)
	return m, reg
}

// Bind sets what the metrics read at scrape time; before it, only the
// per-request metrics are exposed.
func (m *Metrics) Bind(s Source) { m.src.Store(&s) }

// Observe counts one request's outcome as the recorder does: a nil r is
// a request not sent (counted by the engine, nothing here); an error class
// counts an error; anything else a response of its status, whose latency
// from the intended send (a.At to end) goes into the histogram. It has
// the signature of openloop.Config.OnDone and is safe for concurrent use.
func (m *Metrics) Observe(a schedule.Arrival, sent, end time.Duration, r *openloop.Response) {
	switch {
	case r == nil:
	case r.ErrClass != "":
		m.errs[openloop.ErrorSlot(r.ErrClass)].Add(1)
	default:
		if r.Status >= 0 && r.Status < maxCode {
			m.codes[r.Status].Add(1)
		} else {
			m.odd.Lock()
			if m.odd.n == nil {
				m.odd.n = map[int]uint64{}
			}
			m.odd.n[r.Status]++
			m.odd.Unlock()
		}
		m.latency.Observe((end - a.At).Seconds())
	}
}
