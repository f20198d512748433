package scrape

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"time"

	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
)

// BuiltinPrefix names the built-in target's metrics, kept by default.
const BuiltinPrefix = "bploadgen_target_"

// MaxSeries bounds the series kept: per scrape (the first in name order)
// and over the run (the first seen); a counter's rate(NAME) comes on top.
const MaxSeries = 50

// MaxSamples bounds the samples kept: a day at one a second. With
// MaxSeries values of 8 bytes each, at most ~35 MB for the longest run.
const MaxSamples = 86_400

// maxErrorBytes bounds the first error's text in the warning (a parse
// error quotes the target's line).
const maxErrorBytes = 300

// sample is one scrape: the value of series i (NaN: absent) at a time from
// the run's start.
type sample struct {
	at   time.Duration
	vals []float64
}

// Scraper samples one endpoint. Create it with New, run Loop in a
// goroutine, and call Apply after the run.
type Scraper struct {
	url    string // as given: only for requests
	shown  string // redacted: for every message
	keep   map[string]bool
	client *http.Client

	mu       sync.Mutex
	names    []string // the series kept, in order of first sight
	index    map[string]int
	counter  []bool
	samples  []sample
	failures int
	firstErr string
	dropped  dropped
	hints    []string // the first scrape's (parsed.hints)
}

// New returns a scraper of url keeping the given metric names (none: the
// built-in target's metrics if present, else every unlabelled gauge and
// counter), at most MaxSeries series.
func New(url string, metrics []string) *Scraper {
	keep := map[string]bool{}
	for _, m := range metrics {
		keep[m] = true
	}
	return &Scraper{url: url, shown: redact.URL(url), keep: keep, index: map[string]int{},
		client: &http.Client{Timeout: 900 * time.Millisecond}}
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
	p, err := s.fetch(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		s.failures++
		if s.firstErr == "" {
			s.firstErr = s.message(err)
		}
		return
	}
	s.dropped.add(p.dropped)
	if s.hints == nil {
		s.hints = p.hints
	}
	if len(s.samples) >= MaxSamples {
		s.dropped.samples++
		return
	}
	keys := make([]string, 0, len(p.values))
	for k := range p.values {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if _, ok := s.index[k]; ok {
			continue
		}
		if len(s.names) == MaxSeries {
			s.dropped.later++
			delete(p.values, k)
			continue
		}
		s.index[k] = len(s.names)
		s.names = append(s.names, k)
		s.counter = append(s.counter, p.counter[k])
	}
	vals := make([]float64, len(s.names))
	for i := range vals {
		vals[i] = math.NaN()
	}
	for k, v := range p.values {
		vals[s.index[k]] = v
	}
	s.samples = append(s.samples, sample{at: at, vals: vals})
}

// message is an error's text for the warning: the URL redacted (Go's
// url.Error keeps the user name and the query), at most maxErrorBytes.
func (s *Scraper) message(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		ue.URL = s.shown
	}
	msg := redact.Text(err.Error())
	if len(msg) > maxErrorBytes {
		msg = msg[:maxErrorBytes] + "…"
	}
	return msg
}

func (s *Scraper) fetch(ctx context.Context) (parsed, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return parsed{}, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := s.client.Do(req)
	if err != nil {
		return parsed{}, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		// Not drained: closing an unread body closes the connection,
		// and the body may not end.
		return parsed{}, fmt.Errorf("%s answered %d", s.shown, resp.StatusCode)
	}
	return Parse(resp.Body, s.keep)
}

// Apply files the samples into the timeline: each window gets the values
// of the sample nearest its end (within the window), and rate(NAME) for
// counters between that sample and the previous window's. It returns the
// warnings: samples that failed, and what the bounds left out.
func (s *Scraper) Apply(tl []result.Window) []string {
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
		w.Scrape = make(map[string]float64, len(best.vals))
		for k, v := range best.vals {
			if math.IsNaN(v) {
				continue
			}
			name := s.names[k]
			w.Scrape[name] = v
			if s.counter[k] && prev != nil && k < len(prev.vals) {
				if pv := prev.vals[k]; !math.IsNaN(pv) && best.at > prev.at && v >= pv {
					w.Scrape["rate("+name+")"] = (v - pv) / (best.at - prev.at).Seconds()
				}
			}
		}
		prev = best
	}
	var warns []string
	if s.failures > 0 {
		warns = append(warns, fmt.Sprintf("scrape: %d of %d samples of %s failed (first: %s)",
			s.failures, s.failures+len(s.samples)+s.dropped.samples, s.shown, s.firstErr))
	}
	if d := s.dropped.describe(s.hints); d != "" {
		warns = append(warns, fmt.Sprintf("scrape: kept %d series of %s; left out: %s", len(s.names), s.shown, d))
	}
	return warns
}
