package live

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Describe implements prometheus.Collector.
func (m *Metrics) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{m.scheduled, m.sent, m.notSent, m.attempts, m.inFlight,
		m.offer, m.stage, m.responses, m.errors, m.info} {
		ch <- d
	}
}

// Collect implements prometheus.Collector: the engine's counters and the
// plan's rate now, read from the Source, and the per-request counters.
func (m *Metrics) Collect(ch chan<- prometheus.Metric) {
	c := func(d *prometheus.Desc, t prometheus.ValueType, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, t, v, labels...)
	}
	c(m.info, prometheus.GaugeValue, 1, m.target)
	if s := m.src.Load(); s != nil {
		p := s.Progress()
		c(m.scheduled, prometheus.CounterValue, float64(p.Scheduled))
		c(m.sent, prometheus.CounterValue, float64(p.Sent))
		c(m.notSent, prometheus.CounterValue, float64(p.NotSent))
		var retries int64
		if s.Retries != nil {
			retries = s.Retries()
		}
		c(m.attempts, prometheus.CounterValue, float64(p.Sent+retries))
		c(m.inFlight, prometheus.GaugeValue, float64(p.Now))
		rate, stage := s.Schedule.RateAt(p.Elapsed)
		if p.Elapsed >= p.Planned {
			rate = 0
		}
		c(m.offer, prometheus.GaugeValue, rate)
		c(m.stage, prometheus.GaugeValue, float64(stage+1))
	}
	for code := range m.codes {
		if n := m.codes[code].Load(); n > 0 {
			c(m.responses, prometheus.CounterValue, float64(n), strconv.Itoa(code))
		}
	}
	m.odd.Lock()
	for code, n := range m.odd.n {
		c(m.responses, prometheus.CounterValue, float64(n), strconv.Itoa(code))
	}
	m.odd.Unlock()
	for i, class := range result.ErrorClasses {
		c(m.errors, prometheus.CounterValue, float64(m.errs[i].Load()), class)
	}
}
