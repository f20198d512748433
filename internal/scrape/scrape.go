package scrape

import (
	"context"
	"fmt"
	"io"
	"math"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/bploadgen/bploadgen/internal/result"
)

// BuiltinPrefix names the built-in target's metrics, kept by default.
const BuiltinPrefix = "bploadgen_target_"

// MaxSeries bounds how many series are kept per sample when no metric was
// chosen (every unlabelled gauge and counter, in name order).
const MaxSeries = 50

// sample is one scrape: values by series name, and whether each is a counter.
type sample struct {
	at      time.Duration // from the run's start
	values  map[string]float64
	counter map[string]bool
}

// Scraper samples one endpoint. Create it with New, run Loop in a
// goroutine, and call Apply after the run.
type Scraper struct {
	url    string
	keep   map[string]bool // chosen metric names; empty means the default
	client *http.Client

	mu       sync.Mutex
	samples  []sample
	failures int
	firstErr error
}

// New returns a scraper of url keeping the given metric names (none: the
// built-in target's metrics if present, else every unlabelled gauge and
// counter up to MaxSeries).
func New(url string, metrics []string) *Scraper {
	keep := map[string]bool{}
	for _, m := range metrics {
		keep[m] = true
	}
	return &Scraper{url: url, keep: keep, client: &http.Client{Timeout: 900 * time.Millisecond}}
}

// Loop samples every period from start until ctx is done.
func (s *Scraper) Loop(ctx context.Context, start time.Time, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	s.once(ctx, start)
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.once(ctx, start)
		}
	}
}

func (s *Scraper) once(ctx context.Context, start time.Time) {
	at := time.Since(start)
	smp, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		s.failures++
		if s.firstErr == nil {
			s.firstErr = err
		}
		return
	}
	smp.at = at
	s.samples = append(s.samples, smp)
}

func (s *Scraper) fetch(ctx context.Context) (sample, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return sample{}, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := s.client.Do(req)
	if err != nil {
		return sample{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, resp.Body)
		return sample{}, fmt.Errorf("%s answered %s", s.url, resp.Status)
	}
	return Parse(io.LimitReader(resp.Body, 8<<20), s.keep)
}

// Parse reads Prometheus text exposition and keeps the chosen series.
// Gauges, counters and untyped metrics give one series each (labelled ones
// as name{a="b"}); histograms and summaries give name_sum and name_count.
func Parse(r io.Reader, keep map[string]bool) (sample, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return sample{}, fmt.Errorf("metrics: %w", err)
	}
	names := make([]string, 0, len(fams))
	builtin := false
	for n := range fams {
		names = append(names, n)
		builtin = builtin || strings.HasPrefix(n, BuiltinPrefix)
	}
	sort.Strings(names)
	out := sample{values: map[string]float64{}, counter: map[string]bool{}}
	for _, name := range names {
		f := fams[name]
		chosen := keep[name]
		if len(keep) == 0 {
			chosen = strings.HasPrefix(name, BuiltinPrefix) || (!builtin && len(out.values) < MaxSeries)
		}
		if !chosen {
			continue
		}
		for _, m := range f.GetMetric() {
			if len(keep) == 0 && !builtin && len(m.GetLabel()) > 0 {
				continue
			}
			key := name + labels(m)
			switch f.GetType() {
			case dto.MetricType_GAUGE:
				out.values[key] = m.GetGauge().GetValue()
			case dto.MetricType_COUNTER:
				out.values[key] = m.GetCounter().GetValue()
				out.counter[key] = true
			case dto.MetricType_UNTYPED:
				out.values[key] = m.GetUntyped().GetValue()
			case dto.MetricType_HISTOGRAM:
				out.values[name+"_sum"+labels(m)] = m.GetHistogram().GetSampleSum()
				out.values[name+"_count"+labels(m)] = float64(m.GetHistogram().GetSampleCount())
				out.counter[name+"_sum"+labels(m)], out.counter[name+"_count"+labels(m)] = true, true
			case dto.MetricType_SUMMARY:
				out.values[name+"_sum"+labels(m)] = m.GetSummary().GetSampleSum()
				out.values[name+"_count"+labels(m)] = float64(m.GetSummary().GetSampleCount())
				out.counter[name+"_sum"+labels(m)], out.counter[name+"_count"+labels(m)] = true, true
			}
		}
	}
	for k, v := range out.values {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			delete(out.values, k)
		}
	}
	return out, nil
}

func labels(m *dto.Metric) string {
	ls := m.GetLabel()
	if len(ls) == 0 {
		return ""
	}
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = fmt.Sprintf("%s=%q", l.GetName(), l.GetValue())
	}
	sort.Strings(parts)
	return "{" + strings.Join(parts, ",") + "}"
}

// Apply files the samples into the timeline: each window gets the values
// of the sample nearest its end (within the window), and rate(NAME) for
// counters between that sample and the previous window's. It returns a
// warning when samples failed, or "" when none did.
func (s *Scraper) Apply(tl []result.Window) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var prev *sample
	j := 0
	for i := range tl {
		w := &tl[i]
		end := time.Duration((w.TS + w.DurationS) * float64(time.Second))
		startW := time.Duration(w.TS * float64(time.Second))
		var best *sample
		for ; j < len(s.samples) && s.samples[j].at <= end+100*time.Millisecond; j++ {
			if s.samples[j].at >= startW {
				best = &s.samples[j]
			}
		}
		if best == nil {
			continue
		}
		w.Scrape = make(map[string]float64, len(best.values))
		for k, v := range best.values {
			w.Scrape[k] = v
			if best.counter[k] && prev != nil {
				if pv, ok := prev.values[k]; ok && best.at > prev.at && v >= pv {
					w.Scrape["rate("+k+")"] = (v - pv) / (best.at - prev.at).Seconds()
				}
			}
		}
		prev = best
	}
	if s.failures == 0 {
		return ""
	}
	return fmt.Sprintf("scrape: %d of %d samples of %s failed (first: %v)", s.failures, s.failures+len(s.samples), s.url, s.firstErr)
}
