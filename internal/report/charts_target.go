package report

import (
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// The target's own metrics (run --scrape): sampled once per window. The
// engine stores gauges as sampled, counters as sampled totals, and, for a
// counter X, its per-second rate over the window as "rate(X)". For a
// counter that integrates a gauge (X_seconds_total, as the built-in target
// exports for busy workers, queue depth and in flight) that rate is the
// gauge's exact time average over the window.

// scrapeSeries is one scraped metric over the timeline.
type scrapeSeries struct {
	name    string
	counter bool      // a raw counter with no stored rate: drawn as its rate
	perSec  bool      // the values are per second (a rate)
	values  []float64 // raw samples; NaN where the window has none
}

func (s scrapeSeries) label() string {
	if s.counter {
		return "rate(" + s.name + ")"
	}
	return s.name
}

// constant reports whether every sample has the same value (a setting such
// as the worker count, or a metric that did not move).
func (s scrapeSeries) constant() (float64, bool) {
	v, seen := math.NaN(), false
	for _, x := range s.values {
		if math.IsNaN(x) {
			continue
		}
		if seen && x != v {
			return 0, false
		}
		v, seen = x, true
	}
	return v, seen && !s.counter
}

// plotted returns the values to draw: raw for a gauge or a stored rate,
// per-second rate between samples for a raw counter (NaN for the first
// sample and across resets).
func (s scrapeSeries) plotted(tl timeline) []float64 {
	if !s.counter {
		return s.values
	}
	out := make([]float64, len(s.values))
	for i := range out {
		out[i] = math.NaN()
		if i == 0 || math.IsNaN(s.values[i]) || math.IsNaN(s.values[i-1]) {
			continue
		}
		dt := tl.mid[i] - tl.mid[i-1]
		if d := s.values[i] - s.values[i-1]; d >= 0 && dt > 0 {
			out[i] = d / dt
		}
	}
	return out
}

// isCounter reports whether a metric name is a Prometheus counter (or a
// histogram/summary's _sum and _count, which behave like one).
func isCounter(name string) bool {
	b := baseName(name)
	return strings.HasSuffix(b, "_total") || strings.HasSuffix(b, "_count") || strings.HasSuffix(b, "_sum")
}

// rateOf returns X for a key "rate(X)".
func rateOf(k string) (string, bool) {
	if strings.HasPrefix(k, "rate(") && strings.HasSuffix(k, ")") {
		return k[len("rate(") : len(k)-1], true
	}
	return "", false
}

// uncharted metrics say nothing over time: histogram buckets (many, and in
// the CSV) and clocks.
func uncharted(name string) bool {
	b := baseName(name)
	return strings.HasSuffix(b, "_bucket") || strings.HasSuffix(b, "uptime_seconds") || strings.HasSuffix(b, "start_time_seconds")
}

func scrapeData(r *result.Result) []scrapeSeries {
	keys := scrapeKeys(r)
	have := map[string]bool{}
	for _, k := range keys {
		have[k] = true
	}
	out := make([]scrapeSeries, 0, len(keys))
	for _, k := range keys {
		if uncharted(k) {
			continue
		}
		s := scrapeSeries{name: k, values: make([]float64, len(r.Timeline))}
		if _, ok := rateOf(k); ok {
			s.perSec = true
		} else if isCounter(k) {
			if have["rate("+k+")"] {
				continue // the stored rate is exact; the raw total adds nothing
			}
			s.counter, s.perSec = true, true
		}
		for i, w := range r.Timeline {
			v, ok := w.Scrape[k]
			if !ok {
				v = math.NaN()
			}
			s.values[i] = v
		}
		out = append(out, s)
	}
	return out
}

// baseName strips a label set and a rate(): `rate(x{a="b"})` -> `x`.
func baseName(k string) string {
	if x, ok := rateOf(k); ok {
		k = x
	}
	if i := strings.IndexByte(k, '{'); i >= 0 {
		return k[:i]
	}
	return k
}

// targetGauges are the metrics drawn beside the client's view, in order.
// Each takes the first metric found: the time average over the window (the
// rate of an integral counter) if the target exports one, else the gauge
// sampled once per window.
var targetGauges = [...]struct {
	integral, gauge, label, color string
}{
	{"queue_depth_seconds_total", "queue_depth", "target queue depth", colOrange},
	{"busy_worker_seconds_total", "busy_workers", "target busy workers", colGreen},
	{"in_flight_seconds_total", "in_flight", "target in flight", colPurple},
}

// targetView is the "target vs client" section: a two-panel chart, a table
// of settings, and small charts of every other varying metric.
type targetView struct {
	Main     *svgChart
	Settings []kv
	Others   []svgChart
	Hidden   int // varying metrics not charted (too many)
}

const maxSmallCharts = 12

func buildTargetView(r *result.Result, tl timeline) *targetView {
	data := scrapeData(r)
	if len(data) == 0 || len(r.Timeline) == 0 {
		return nil
	}
	tv := &targetView{}
	used := map[string]bool{}
	var gauges []scrapeSeries
	var colors, labels []string
	for _, g := range targetGauges {
		pick := func(suffix, how string, ok func(scrapeSeries) bool) bool {
			for _, s := range data {
				if !used[s.name] && ok(s) && strings.HasSuffix(baseName(s.name), suffix) {
					gauges = append(gauges, s)
					colors = append(colors, g.color)
					labels = append(labels, g.label+" ("+how+")")
					used[s.name] = true
					return true
				}
			}
			return false
		}
		_ = pick(g.integral, "time average", func(s scrapeSeries) bool { return s.perSec }) ||
			pick(g.gauge, "sampled", func(s scrapeSeries) bool { return !s.perSec })
	}
	if len(gauges) > 0 {
		c := targetMainChart(r, tl, gauges, colors, labels)
		tv.Main = &c
	}
	for _, s := range data {
		if used[s.name] {
			continue
		}
		if v, ok := s.constant(); ok {
			tv.Settings = append(tv.Settings, kv{K: s.name, V: numfmt.Num(v)})
			continue
		}
		if len(tv.Others) == maxSmallCharts {
			tv.Hidden++
			continue
		}
		tv.Others = append(tv.Others, smallScrapeChart(s, tl, len(tv.Others)))
	}
	return tv
}

// targetMainChart puts the client's latency above the target's queue.
func targetMainChart(r *result.Result, tl timeline, gauges []scrapeSeries, colors, labels []string) svgChart {
	const h1, h2, gapY = 150.0, 150.0, 40.0
	c := svgChart{ID: "chart-target", Title: "The target's view beside the client's",
		Desc: "Top: response time the generator measured. Bottom: the target's own metrics (--scrape), as time averages over each second where the target exports them, else sampled once a second, with the generator's in-flight average for comparison. Latency that climbs while the target's queue fills is time spent waiting in it.",
		W:    chartW, H: marginTop + h1 + gapY + h2 + marginBot}
	n := len(r.Timeline)
	p50, p99 := make([]float64, n), make([]float64, n)
	lo, hi := math.Inf(1), 0.0
	for i, w := range r.Timeline {
		p50[i], p99[i] = gap(w.P50S), gap(w.P99S)
		if w.P50S > 0 {
			lo = math.Min(lo, w.P50S)
		}
		hi = math.Max(hi, w.P99S)
	}
	xt, xTitle := tl.timeTicks()
	if hi > 0 {
		d0, d1 := logDomain(lo, hi)
		top := tl.timePanel(&c, marginTop, h1, logScale{d0, d1, marginTop + h1, marginTop})
		tl.decorate(top, true)
		top.axes(xt, logTicks(d0, d1, numfmt.Duration), "", "response time")
		top.series(tl.mid, p99, colVerm, "", 2, "client p99")
		top.series(tl.mid, p50, colBlue, "", 1.8, "client p50")
	}
	y2 := marginTop + h1 + gapY
	inflight := make([]float64, n)
	ghi := 0.0
	for i, w := range r.Timeline {
		inflight[i] = w.InFlightMean
		ghi = math.Max(ghi, w.InFlightMean)
	}
	plotted := make([][]float64, len(gauges))
	for i, g := range gauges {
		plotted[i] = g.plotted(tl)
		for _, v := range plotted[i] {
			if !math.IsNaN(v) {
				ghi = math.Max(ghi, v)
			}
		}
	}
	gtop := niceMax(math.Max(ghi*1.04, 1), 4)
	bot := tl.timePanel(&c, y2, h2, linScale{0, gtop, y2 + h2, y2})
	tl.decorate(bot, false)
	bot.axes(xt, linTicks(0, gtop, 4, numfmt.Num), xTitle, "requests")
	bot.series(tl.mid, inflight, colInk, "5 4", 1.5, "client in flight (mean)")
	for i, g := range gauges {
		bot.series(tl.mid, plotted[i], colors[i], "", 2, labels[i]+": "+g.label())
	}
	tl.hover(bot, func(i int) string {
		s := tl.windowLabel(i) + "\nclient in flight (mean) " + numfmt.Num(r.Timeline[i].InFlightMean)
		for j := range gauges {
			s += "\n" + labels[j] + " " + numfmt.Num(plotted[j][i])
		}
		return s
	})
	if hi > 0 {
		c.Legend = append(c.Legend,
			legendItem{Label: "client p50", Kind: "line", Stroke: colBlue},
			legendItem{Label: "client p99", Kind: "line", Stroke: colVerm})
	}
	c.Legend = append(c.Legend, legendItem{Label: "client in flight (mean)", Kind: "line", Stroke: colInk, Dash: "5 4"})
	for i, g := range gauges {
		c.Legend = append(c.Legend, legendItem{Label: labels[i] + " — " + g.label(), Kind: "line", Stroke: colors[i]})
	}
	return c
}

// smallScrapeChart is a small timeline of one scraped metric.
func smallScrapeChart(s scrapeSeries, tl timeline, i int) svgChart {
	const w, h = 330.0, 110.0
	c := svgChart{ID: "chart-scrape-" + itoa(i+1), Title: s.label(), W: w, H: 26 + h + 34}
	vals := s.plotted(tl)
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if !math.IsNaN(v) {
			lo, hi = math.Min(lo, v), math.Max(hi, v)
		}
	}
	if math.IsInf(lo, 1) {
		return noData(c, "no samples")
	}
	if lo > 0 {
		lo = 0
	}
	if hi <= lo {
		hi = lo + 1
	}
	top := niceMax(hi*1.04, 3)
	if hi < 0 {
		top = 0
	}
	p := tl.panelAt(&c, 52, 14, w-52-12, h, linScale{lo, top, 14 + h, 14})
	tl.decorate(p, false)
	xt, _ := tl.timeTicksN(4)
	p.axes(xt, linTicks(lo, top, 3, numfmt.Num), "", "")
	p.series(tl.mid, vals, colBlue, "", 1.6, s.label())
	if s.perSec {
		c.Desc = "per second"
	}
	return c
}
