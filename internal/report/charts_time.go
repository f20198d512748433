package report

import (
	"math"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// chartHeight returns the SVG height for a single-panel timeline chart
// with a plot area of h.
func chartHeight(h float64) float64 { return marginTop + h + marginBot }

func noData(c svgChart, msg string) svgChart {
	c.Empty = msg
	c.H = 0
	return c
}

// rateChart: offered vs achieved vs successful rate over time.
func rateChart(r *result.Result, tl timeline) svgChart {
	c := svgChart{ID: "chart-rate", Title: "Request rate over time",
		Desc: "Offered is the plan; achieved is what the generator sent; successful is 2xx responses per second. A gap between achieved and successful is load the target refused or failed.",
		W:    chartW, H: chartHeight(200)}
	if len(r.Timeline) == 0 {
		return noData(c, "The result has no timeline.")
	}
	n := len(r.Timeline)
	off, ach, ok := make([]float64, n), make([]float64, n), make([]float64, n)
	hi := 0.0
	for i, w := range r.Timeline {
		off[i], ach[i], ok[i] = w.OfferedRPS, w.AchievedRPS, w.ThroughputRPS
		hi = math.Max(hi, math.Max(off[i], math.Max(ach[i], ok[i])))
	}
	top := niceMax(hi*1.04, 5)
	p := tl.timePanel(&c, marginTop, 200, linScale{0, top, marginTop + 200, marginTop})
	tl.decorate(p, true)
	xt, xTitle := tl.timeTicks()
	p.axes(xt, linTicks(0, top, 5, numfmt.Rate), xTitle, "requests per second")
	p.steps(tl.t0, tl.t1, off, colInk, "6 4", 1.5, "offered (planned)")
	p.series(tl.mid, ach, colBlue, "", 2, "achieved (sent)")
	p.series(tl.mid, ok, colGreen, "", 2, "successful (2xx)")
	tl.hover(p, func(i int) string {
		w := r.Timeline[i]
		return tl.windowLabel(i) + "\noffered " + numfmt.Rate(w.OfferedRPS) + " rps\nachieved " + numfmt.Rate(w.AchievedRPS) +
			" rps\nsuccessful (2xx) " + numfmt.Rate(w.ThroughputRPS) + " rps"
	})
	c.Legend = []legendItem{
		{Label: "offered (planned)", Kind: "line", Stroke: colInk, Dash: "6 4"},
		{Label: "achieved (sent)", Kind: "line", Stroke: colBlue},
		{Label: "successful (2xx)", Kind: "line", Stroke: colGreen},
	}
	return c
}

// latencyChart: p50/p90/p99/max per window on a log axis.
func latencyChart(r *result.Result, tl timeline) svgChart {
	c := svgChart{ID: "chart-latency", Title: "Response time over time",
		Desc: "Measured from each request's intended send time (so queueing in the generator counts), over requests that got a response. Log scale.",
		W:    chartW, H: chartHeight(220)}
	n := len(r.Timeline)
	lo, hi := math.Inf(1), 0.0
	p50, p90, p99, pmax := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
	for i, w := range r.Timeline {
		p50[i], p90[i], p99[i], pmax[i] = gap(w.P50S), gap(w.P90S), gap(w.P99S), gap(w.MaxS)
		for _, v := range []float64{w.P50S, w.P90S, w.P99S, w.MaxS} {
			if v > 0 {
				lo, hi = math.Min(lo, v), math.Max(hi, v)
			}
		}
	}
	if hi == 0 {
		return noData(c, "No request got a response: there is no response time to show.")
	}
	d0, d1 := logDomain(lo, hi)
	p := tl.timePanel(&c, marginTop, 220, logScale{d0, d1, marginTop + 220, marginTop})
	tl.decorate(p, true)
	xt, xTitle := tl.timeTicks()
	p.axes(xt, logTicks(d0, d1, numfmt.Duration), xTitle, "response time")
	p.series(tl.mid, pmax, colLight, "2 3", 1.5, "max")
	p.series(tl.mid, p99, colVerm, "", 2, "p99")
	p.series(tl.mid, p90, colGreen, "", 1.8, "p90")
	p.series(tl.mid, p50, colBlue, "", 1.8, "p50")
	tl.hover(p, func(i int) string {
		w := r.Timeline[i]
		if w.MaxS == 0 {
			return tl.windowLabel(i) + "\nno responses"
		}
		return tl.windowLabel(i) + "\np50 " + numfmt.Duration(w.P50S) + "\np90 " + numfmt.Duration(w.P90S) + "\np99 " + numfmt.Duration(w.P99S) + "\nmax " + numfmt.Duration(w.MaxS)
	})
	c.Legend = []legendItem{
		{Label: "p50", Kind: "line", Stroke: colBlue},
		{Label: "p90", Kind: "line", Stroke: colGreen},
		{Label: "p99", Kind: "line", Stroke: colVerm},
		{Label: "max", Kind: "line", Stroke: colLight, Dash: "2 3"},
	}
	return c
}

// gap turns a zero latency (no responses in the window) into a gap.
func gap(v float64) float64 {
	if v <= 0 {
		return math.NaN()
	}
	return v
}

// outcomeClasses are the stacked classes of the outcomes chart, bottom up.
var outcomeClasses = [...]struct {
	label, color string
	get          func(outcome) int64
}{
	{"2xx", colGreen, func(o outcome) int64 { return o.OK2xx }},
	{"503", colOrange, func(o outcome) int64 { return o.S503 }},
	{"other status", colPurple, func(o outcome) int64 { return o.OtherStatus }},
	{"transport errors", colVerm, func(o outcome) int64 { return o.Errors }},
	{"not sent", colGrey, func(o outcome) int64 { return o.NotSent }},
}

// outcomesChart: what became of the requests scheduled in each window.
func outcomesChart(r *result.Result, tl timeline) svgChart {
	c := svgChart{ID: "chart-outcomes", Title: "Outcomes over time",
		Desc: "What became of the requests scheduled in each second, stacked: 2xx, 503 and 429 (the target shed load), other status codes, transport errors (timeout, refused, reset), and requests the generator could not send (--max-in-flight).",
		W:    chartW, H: chartHeight(200)}
	if len(r.Timeline) == 0 {
		return noData(c, "The result has no timeline.")
	}
	n := len(r.Timeline)
	outs := make([]outcome, n)
	hi := 0.0
	for i, w := range r.Timeline {
		outs[i] = outcomeOf(w.Status, w.Errors, w.NotSent)
		o := outs[i]
		hi = math.Max(hi, float64(o.responses()+o.Errors+o.NotSent)/(tl.t1[i]-tl.t0[i]))
	}
	top := niceMax(hi*1.04, 5)
	p := tl.timePanel(&c, marginTop, 200, linScale{0, top, marginTop + 200, marginTop})
	tl.decorate(p, true)
	xt, xTitle := tl.timeTicks()
	p.axes(xt, linTicks(0, top, 5, numfmt.Rate), xTitle, "requests per second")
	lo := make([]float64, n)
	for _, cl := range outcomeClasses {
		up := make([]float64, n)
		for i := range outs {
			up[i] = lo[i] + float64(cl.get(outs[i]))/(tl.t1[i]-tl.t0[i])
		}
		label := cl.label
		if label == "503" {
			label = shedLabel(r.Total.Status) // 429s are shed too (data.go)
		}
		p.stackedSteps(tl.t0, tl.t1, lo, up, cl.color, label)
		c.Legend = append(c.Legend, legendItem{Label: label, Kind: "area", Fill: cl.color})
		lo = up
	}
	tl.hover(p, func(i int) string {
		o := outs[i]
		s := tl.windowLabel(i) + " (requests scheduled in it)"
		for _, cl := range outcomeClasses {
			s += "\n" + cl.label + " " + numfmt.Int(cl.get(o))
		}
		return s
	})
	return c
}

// inFlightChart: requests in flight (time average and maximum per window).
func inFlightChart(r *result.Result, tl timeline) svgChart {
	c := svgChart{ID: "chart-inflight", Title: "Requests in flight over time",
		Desc: "Requests sent and not yet finished, as seen by the generator: the time average (L in Little's law) and the maximum in each second. A bounded server keeps this bounded; an unbounded one lets it grow.",
		W:    chartW, H: chartHeight(170)}
	if len(r.Timeline) == 0 {
		return noData(c, "The result has no timeline.")
	}
	n := len(r.Timeline)
	mean, max := make([]float64, n), make([]float64, n)
	hi := 0.0
	for i, w := range r.Timeline {
		mean[i], max[i] = w.InFlightMean, float64(w.InFlightMax)
		hi = math.Max(hi, math.Max(mean[i], max[i]))
	}
	top := niceMax(math.Max(hi*1.04, 1), 4)
	p := tl.timePanel(&c, marginTop, 170, linScale{0, top, marginTop + 170, marginTop})
	tl.decorate(p, true)
	xt, xTitle := tl.timeTicks()
	p.axes(xt, linTicks(0, top, 4, numfmt.Num), xTitle, "requests in flight")
	p.steps(tl.t0, tl.t1, max, colSky, "", 1.2, "maximum")
	p.series(tl.mid, mean, colBlue, "", 2, "time average")
	tl.hover(p, func(i int) string {
		w := r.Timeline[i]
		return tl.windowLabel(i) + "\nin flight: mean " + numfmt.Num(w.InFlightMean) + ", max " + numfmt.Int(w.InFlightMax)
	})
	c.Legend = []legendItem{
		{Label: "time average", Kind: "line", Stroke: colBlue},
		{Label: "maximum", Kind: "line", Stroke: colSky},
	}
	return c
}
