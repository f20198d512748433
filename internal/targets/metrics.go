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
	}
}

func queueCapacity(cfg Config) float64 {
	if cfg.Policy == Unbounded {
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
