// Package livetest reads a live metrics endpoint in tests: one scrape of
// /metrics in the Prometheus text format, parsed by the ecosystem's parser
// (prometheus/common/expfmt), and the values the tests compare.
package livetest

import (
	"fmt"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Scrape is one scrape: metric families by name.
type Scrape map[string]*dto.MetricFamily

// Get scrapes http://addr/metrics (text format).
func Get(addr string) (Scrape, error) {
	c := &http.Client{Timeout: 5 * time.Second}
	resp, err := c.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape: %s", resp.Status)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	return Scrape(fams), err
}

// Value is the value of the counter or gauge name whose labels include
// the given name/value pairs; ok false when there is none.
func (s Scrape) Value(name string, labels ...string) (v float64, ok bool) {
	f := s[name]
	if f == nil {
		return 0, false
	}
	for _, m := range f.GetMetric() {
		if !match(m, labels) {
			continue
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		}
	}
	return 0, false
}

// ByLabel maps each value of label to the value of name's series.
func (s Scrape) ByLabel(name, label string) map[string]float64 {
	out := map[string]float64{}
	for _, m := range s[name].GetMetric() {
		for _, l := range m.GetLabel() {
			if l.GetName() == label {
				out[l.GetValue()] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}

// HistogramCount is the sample count of histogram name (0 if absent).
func (s Scrape) HistogramCount(name string) uint64 {
	for _, m := range s[name].GetMetric() {
		return m.GetHistogram().GetSampleCount()
	}
	return 0
}

func match(m *dto.Metric, labels []string) bool {
	for i := 0; i+1 < len(labels); i += 2 {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == labels[i] && l.GetValue() == labels[i+1] {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
