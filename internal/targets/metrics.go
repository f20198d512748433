package targets

import (
	"bytes"
	"net/http"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Metric names served at /metrics. bploadgen's --scrape looks for these.
const (
	MetricWorkers           = "bploadgen_target_workers"                   // gauge: c
	MetricQueueCapacity     = "bploadgen_target_queue_capacity"            // gauge: waiting slots; -1 = unbounded
	MetricServiceMean       = "bploadgen_target_service_mean_seconds"      // gauge: configured E[S]
	MetricServiceSCV        = "bploadgen_target_service_scv"               // gauge: configured SCV of S
	MetricStallEvery        = "bploadgen_target_stall_every_seconds"       // gauge: 0 = no stalls
	MetricStallFor          = "bploadgen_target_stall_for_seconds"         // gauge
	MetricUptime            = "bploadgen_target_uptime_seconds"            // gauge: the instant the integrals were taken
	MetricQueueDepth        = "bploadgen_target_queue_depth"               // gauge
	MetricBusyWorkers       = "bploadgen_target_busy_workers"              // gauge
	MetricInFlight          = "bploadgen_target_in_flight"                 // gauge: busy + queue depth
	MetricServed            = "bploadgen_target_served_total"              // counter: 200s
	MetricRejected          = "bploadgen_target_rejected_total"            // counter: 503s at admission
	MetricAborted           = "bploadgen_target_aborted_total"             // counter: cut off by shutdown
	MetricService           = "bploadgen_target_service_seconds"           // histogram: measured service time
	MetricQueueWait         = "bploadgen_target_queue_wait_seconds"        // histogram: wait of each started request
	MetricBusyWorkerSeconds = "bploadgen_target_busy_worker_seconds_total" // counter: ∫ busy dt
	MetricQueueDepthSeconds = "bploadgen_target_queue_depth_seconds_total" // counter: ∫ queue depth dt
	MetricInFlightSeconds   = "bploadgen_target_in_flight_seconds_total"   // counter: ∫ in flight dt

	// How the server sheds (issue #12). The policy is a label of an info
	// gauge; settings that do not apply are 0.
	MetricPolicy       = "bploadgen_target_policy_info"                     // gauge 1, label policy
	MetricQueueTimeout = "bploadgen_target_queue_timeout_seconds"           // gauge: Deadline's D
	MetricRateLimit    = "bploadgen_target_rate_limit_rps"                  // gauge: RateLimit's R
	MetricRateBurst    = "bploadgen_target_rate_limit_burst"                // gauge: RateLimit's B
	MetricLimit        = "bploadgen_target_concurrency_limit"               // gauge: admission limit now (K, the AIMD limit); -1 none
	MetricLimitSeconds = "bploadgen_target_concurrency_limit_seconds_total" // counter: ∫ AIMD limit dt
	MetricTimedOut     = "bploadgen_target_timed_out_total"                 // counter: 503s after the queue timeout
	MetricRateLimited  = "bploadgen_target_rate_limited_total"              // counter: refused by the token bucket
)

// serveMetrics writes every metric in the Prometheus text format, all taken
// at one instant under the lock.
func (s *Server) serveMetrics(w http.ResponseWriter) {
	s.mu.Lock()
	st := s.m.snapshot(s.since())
	svc, wait := s.m.svc, s.m.wait // copies: plain values
	s.mu.Unlock()

	var buf bytes.Buffer
	for _, mf := range s.families(st, &svc, &wait) {
		if _, err := expfmt.MetricFamilyToText(&buf, mf); err != nil {
			http.Error(w, "metrics: "+err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", string(expfmt.NewFormat(expfmt.TypeTextPlain)))
	_, _ = w.Write(buf.Bytes())
}

// families builds the metric families from one snapshot.
func (s *Server) families(st Stats, svc, wait *histogram) []*dto.MetricFamily {
	cfg := s.cfg
	return []*dto.MetricFamily{
		gauge(MetricWorkers, "Number of workers c.", float64(cfg.Workers)),
		gauge(MetricQueueCapacity, "Waiting slots; the model's K is workers + this. -1 means unbounded.", queueCapacity(cfg)),
		gauge(MetricServiceMean, "Configured mean service time E[S] in seconds.", cfg.Service.Mean),
		gauge(MetricServiceSCV, "Configured squared coefficient of variation of the service time.", cfg.Service.SCV()),
		gauge(MetricStallEvery, "Stall period in seconds (0: no stalls).", cfg.StallEvery.Seconds()),
		gauge(MetricStallFor, "Stall length in seconds.", cfg.StallFor.Seconds()),
		gauge(MetricUptime, "Seconds since start at which these values were taken (monotonic).", st.Uptime.Seconds()),
		gauge(MetricQueueDepth, "Admitted requests waiting for a worker.", float64(st.QueueDepth)),
		gauge(MetricBusyWorkers, "Requests in service.", float64(st.Busy)),
		gauge(MetricInFlight, "Admitted requests not yet answered (busy + queue depth).", float64(st.InFlight)),
		counter(MetricServed, "Requests answered 200 after service.", float64(st.Served)),
		counter(MetricRejected, "Requests answered 503 at arrival because the system was full.", float64(st.Rejected)),
		counter(MetricAborted, "Admitted requests cut off by shutdown.", float64(st.Aborted)),
		hist(MetricService, "Measured service time in seconds (stalls included).", svc),
		hist(MetricQueueWait, "Measured queue wait in seconds of each request that started service.", wait),
		counter(MetricBusyWorkerSeconds, "Integral of busy workers over time (worker-seconds).", st.BusyWorkerSeconds),
		counter(MetricQueueDepthSeconds, "Integral of queue depth over time (request-seconds).", st.QueueDepthSeconds),
		counter(MetricInFlightSeconds, "Integral of in-flight requests over time (request-seconds).", st.InFlightSeconds),
		info(MetricPolicy, "How the server sheds load: reject, unbounded, deadline, ratelimit or aimd.", "policy", cfg.Policy.String()),
		gauge(MetricQueueTimeout, "Deadline policy: the longest wait for a worker in seconds (0: none).", cfg.QueueTimeout.Seconds()),
		gauge(MetricRateLimit, "Ratelimit policy: token bucket rate per second (0: none).", cfg.LimitRate),
		gauge(MetricRateBurst, "Ratelimit policy: token bucket size (0: none).", cfg.Burst),
		gauge(MetricLimit, "Admission limit on requests in service plus waiting now: K, or the AIMD limit; -1 means none.", float64(st.Limit)),
		counter(MetricLimitSeconds, "Integral of the AIMD limit over time (its rate is the mean limit; 0 for other policies).", st.LimitSeconds),
		counter(MetricTimedOut, "Requests answered 503 because their queue timeout passed.", float64(st.TimedOut)),
		counter(MetricRateLimited, "Requests refused by the token bucket.", float64(st.Limited)),
	}
}

func info(name, help, label, value string) *dto.MetricFamily {
	one := 1.0
	return &dto.MetricFamily{
		Name: &name, Help: &help, Type: dto.MetricType_GAUGE.Enum(),
		Metric: []*dto.Metric{{Label: []*dto.LabelPair{{Name: &label, Value: &value}}, Gauge: &dto.Gauge{Value: &one}}},
	}
}

func queueCapacity(cfg Config) float64 {
	if cfg.SystemCapacity() < 0 {
		return -1
	}
	return float64(cfg.Queue)
}

func gauge(name, help string, v float64) *dto.MetricFamily {
	return &dto.MetricFamily{
		Name: &name, Help: &help, Type: dto.MetricType_GAUGE.Enum(),
		Metric: []*dto.Metric{{Gauge: &dto.Gauge{Value: &v}}},
	}
}

func counter(name, help string, v float64) *dto.MetricFamily {
	return &dto.MetricFamily{
		Name: &name, Help: &help, Type: dto.MetricType_COUNTER.Enum(),
		Metric: []*dto.Metric{{Counter: &dto.Counter{Value: &v}}},
	}
}

func hist(name, help string, h *histogram) *dto.MetricFamily {
	cum := h.cumulative()
	buckets := make([]*dto.Bucket, len(histBounds))
	for i := range histBounds {
		buckets[i] = &dto.Bucket{CumulativeCount: &cum[i], UpperBound: &histBounds[i]}
	}
	count, sum := h.count, h.sum
	return &dto.MetricFamily{
		Name: &name, Help: &help, Type: dto.MetricType_HISTOGRAM.Enum(),
		Metric: []*dto.Metric{{Histogram: &dto.Histogram{
			SampleCount: &count, SampleSum: &sum, Bucket: buckets,
		}}},
	}
}
