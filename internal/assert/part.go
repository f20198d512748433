package assert

import (
	"fmt"
	"math"
	"sort"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

const (
	noteNothingScheduled = "nothing scheduled"
	noteMissingHist      = "no histogram in the result for these responses"
	noteNoAttempts       = "no attempt counts: recorded only when the clients retry, and not per request"
)

// part is one evaluated piece of a scope: the run, a stage, or a group of
// timeline windows, with the counters and histograms its metrics read.
type part struct {
	label                    string
	scheduled, sent, notSent int64
	status, errors           map[string]int64
	rps                      float64 // 2xx responses per second
	goodput                  float64 // logical requests that ended 2xx, per second
	// attempts are the attempts sent (client retries; by their own
	// intended time in a window group); retried says there are counts.
	attempts int64
	retried  bool
	hists    [nFamilies]histSource
}

// histSource is one distribution of a part: encoded histograms to add up,
// decoded on first use, and summary values to fall back on when the
// histograms are missing.
type histSource struct {
	encoded   []string
	responses int64              // responses the distribution should hold
	missing   bool               // some of those responses have no encoded histogram
	fallback  map[string]float64 // stat ("p99", "min", ...) -> seconds; nil if none
	h         *hdr.Histogram
}

func (hs *histSource) get() (*hdr.Histogram, error) {
	if hs.h != nil {
		return hs.h, nil
	}
	h := result.NewHistogram()
	if err := result.MergeEncoded(h, hs.encoded...); err != nil {
		return nil, err
	}
	hs.h = h
	return h, nil
}

// observe returns m's value in the part, or a note saying why there is none.
func (p *part) observe(m metric) (v float64, note string, err error) {
	if p.scheduled <= 0 {
		return 0, noteNothingScheduled, nil
	}
	switch m.src {
	case srcRatio:
		n, _ := result.Count(p.status, p.errors, p.notSent, m.class)
		return float64(n) / float64(p.scheduled), "", nil
	case srcAchieved:
		return float64(p.sent) / float64(p.scheduled), "", nil
	case srcRPS:
		return p.rps, "", nil
	case srcGoodput:
		return p.goodput, "", nil
	case srcAmplification:
		if !p.retried {
			return 0, noteNoAttempts, nil
		}
		return float64(p.attempts) / float64(p.scheduled), "", nil
	}
	hs := &p.hists[m.fam]
	h, err := hs.get()
	if err != nil {
		return 0, "", err
	}
	switch {
	case !hs.missing && h.TotalCount() > 0:
		return statValue(h, m), "", nil
	case hs.missing || hs.responses > 0:
		if hs.fallback == nil {
			return 0, noteMissingHist, nil
		}
		if v, ok := hs.fallback[m.stat]; ok {
			return v, "", nil
		}
		return 0, fmt.Sprintf("no histogram in the result, and its summary has no %s", m.stat), nil
	case m.fam == famLatency2xx:
		return 0, "no 2xx responses", nil
	}
	return 0, "no responses", nil
}

// statValue reads m's statistic from a non-empty histogram, in seconds,
// the way result.Summarize does.
func statValue(h *hdr.Histogram, m metric) float64 {
	switch m.stat {
	case "min":
		return float64(h.Min()) / 1e9
	case "max":
		return float64(h.Max()) / 1e9
	case "mean":
		return h.Mean() / 1e9
	}
	v, _ := result.Quantile(h, m.pct)
	return v
}

// stagePart is the part of one stage (or of the run's Total).
func stagePart(st *result.Stage, label string) *part {
	p := &part{
		label: label, scheduled: st.Scheduled, sent: st.Sent, notSent: st.NotSent,
		status: st.Status, errors: st.Errors, rps: st.ThroughputRPS, goodput: st.ThroughputRPS,
	}
	if st.GoodputRPS != nil {
		p.goodput = *st.GoodputRPS
	}
	if st.Attempts != nil {
		p.attempts, p.retried = st.Attempts.Count, true
	}
	responses := st.Responses()
	n2xx, _ := result.Count(st.Status, nil, 0, "2xx")
	for f, src := range [nFamilies]struct {
		enc  string
		sum  *result.Summary
		resp int64
	}{
		famLatency:    {st.HDR.Latency, &st.Latency, responses},
		famLatency2xx: {st.HDR.Latency2xx, &st.Latency2xx, n2xx},
		famService:    {st.HDR.ServiceTime, &st.ServiceTime, responses},
	} {
		hs := &p.hists[f]
		hs.encoded = []string{src.enc}
		hs.responses = max(src.resp, src.sum.Count)
		hs.missing = src.enc == "" && hs.responses > 0
		if src.sum.Count > 0 {
			hs.fallback = summaryStats(src.sum)
		}
	}
	return p
}

func summaryStats(s *result.Summary) map[string]float64 {
	return map[string]float64{
		"p50": s.P50, "p90": s.P90, "p95": s.P95, "p99": s.P99, "p99.9": s.P999, "p99.99": s.P9999,
		"min": s.Min, "max": s.Max, "mean": s.Mean,
	}
}

// windowParts groups the timeline into windows of n seconds, by the group in
// which each window's start falls, and returns the groups with scheduled
// requests in time order.
func windowParts(tl []result.Window, n int64) ([]*part, error) {
	type group struct {
		part
		start, end   float64
		windows      []*result.Window
		n2xx         int64
		withResponse [nFamilies]int
	}
	secs := float64(n)
	groups := map[int64]*group{}
	for i := range tl {
		w := &tl[i]
		k := math.Floor((w.TS + 1e-9) / secs)
		if math.IsNaN(k) || math.Abs(k) > 1<<52 {
			return nil, fmt.Errorf("timeline window %d: t_s %v is out of range", i, w.TS)
		}
		g := groups[int64(k)]
		if g == nil {
			g = &group{start: k * secs, end: k * secs}
			g.status, g.errors = map[string]int64{}, map[string]int64{}
			groups[int64(k)] = g
		}
		g.windows = append(g.windows, w)
		g.scheduled += w.Scheduled
		g.sent += w.Sent
		g.notSent += w.NotSent
		if w.Attempts != nil {
			g.attempts += w.Attempts.Count
			g.retried = true
		}
		for c, v := range w.Status {
			g.status[c] += v
		}
		for c, v := range w.Errors {
			g.errors[c] += v
		}
		if w.Scheduled > 0 {
			d := w.DurationS
			if !(d > 0) {
				d = 1
			}
			g.end = max(g.end, w.TS+d)
		}
		responses := sum(w.Status)
		n2xx, _ := result.Count(w.Status, nil, 0, "2xx")
		g.n2xx += n2xx
		hdr, err := w.HDR.Load()
		if err != nil {
			return nil, fmt.Errorf("timeline window %d: %w", i, err)
		}
		for f, src := range [nFamilies]struct {
			enc  string
			resp int64
		}{
			famLatency:    {hdr.Latency, responses},
			famLatency2xx: {hdr.Latency2xx, n2xx},
			famService:    {hdr.ServiceTime, responses},
		} {
			hs := &g.hists[f]
			hs.encoded = append(hs.encoded, src.enc)
			hs.responses += src.resp
			if src.resp > 0 {
				g.withResponse[f]++
				hs.missing = hs.missing || src.enc == ""
			}
		}
	}
	keys := make([]int64, 0, len(groups))
	for k, g := range groups {
		if g.scheduled > 0 {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	parts := make([]*part, 0, len(keys))
	for _, k := range keys {
		g := groups[k]
		g.label = fmt.Sprintf("window %s-%s", formatSeconds(g.start), formatSeconds(g.end))
		g.rps = float64(g.n2xx) / (g.end - g.start)
		g.goodput = g.rps
		if g.withResponse[famLatency] == 1 {
			g.hists[famLatency].fallback = windowStats(g.windows)
		}
		parts = append(parts, &g.part)
	}
	return parts, nil
}

// windowStats is the latency summary of the only window with responses.
func windowStats(ws []*result.Window) map[string]float64 {
	for _, w := range ws {
		if sum(w.Status) > 0 {
			return map[string]float64{"p50": w.P50S, "p90": w.P90S, "p99": w.P99S, "max": w.MaxS, "mean": w.MeanS}
		}
	}
	return nil
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
