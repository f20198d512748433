package report

import (
	"math"
	"strconv"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Geometry of the timeline charts: they share the x axis so that a moment
// of the run sits at the same place in every chart.
const (
	chartW      = 1000.0
	marginLeft  = 76.0
	marginRight = 24.0
	marginTop   = 34.0
	marginBot   = 46.0
)

// Okabe–Ito colours: distinguishable with colour-vision deficiencies and
// legible in print.
const (
	colBlue   = "#0072B2"
	colSky    = "#56B4E9"
	colGreen  = "#009E73"
	colOrange = "#E69F00"
	colVerm   = "#D55E00"
	colPurple = "#CC79A7"
	colGrey   = "#6B7280"
	colLight  = "#9CA3AF"
	colInk    = "#111827"
)

// timeline is the time geometry of a run: windows and stages in seconds.
type timeline struct {
	t0, t1, mid []float64 // per window
	end         float64   // right end of the time axis
	stages      []stageSpan
}

type stageSpan struct {
	start, end float64
	index      int
	offered    float64
}

func newTimeline(r *result.Result) timeline {
	var tl timeline
	for _, w := range r.Timeline {
		d := w.DurationS
		if d <= 0 {
			d = 1
		}
		tl.t0 = append(tl.t0, w.TS)
		tl.t1 = append(tl.t1, w.TS+d)
		tl.mid = append(tl.mid, w.TS+d/2)
		tl.end = math.Max(tl.end, w.TS+d)
	}
	tl.end = math.Max(tl.end, r.DurationS)
	if r.Interrupted && r.ElapsedS > 0 && len(r.Timeline) > 0 {
		// An interrupted run ends where its data ends, not where the plan would have.
		tl.end = math.Max(tl.t1[len(tl.t1)-1], math.Min(r.ElapsedS, r.DurationS))
	}
	for _, s := range r.Stages {
		tl.stages = append(tl.stages, stageSpan{start: s.StartS, end: s.EndS, index: s.Index, offered: s.OfferedRPS})
	}
	if tl.end <= 0 {
		tl.end = 1
	}
	return tl
}

// timePanel makes a full-width timeline panel of height h (plot area)
// starting at y, with the given y scale, and draws the time axis.
func (tl timeline) timePanel(c *svgChart, y, h float64, ys scale) *panel {
	return tl.panelAt(c, marginLeft, y, chartW-marginLeft-marginRight, h, ys)
}

// panelAt is timePanel for a plot area of any position and width.
func (tl timeline) panelAt(c *svgChart, x, y, w, h float64, ys scale) *panel {
	p := &panel{c: c, x: x, y: y, w: w, h: h, ys: ys}
	p.xs = linScale{0, tl.end, p.x, p.x + p.w}
	return p
}

// timeTicks labels the time axis in seconds, or in minutes for long runs.
func (tl timeline) timeTicks() ([]tick, string) { return tl.timeTicksN(10) }

func (tl timeline) timeTicksN(n int) ([]tick, string) {
	plain := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	if tl.end >= 600 {
		ts := linTicks(0, tl.end/60, n*4/5, plain)
		for i := range ts {
			ts[i].V *= 60
		}
		return ts, "time since start (min)"
	}
	return linTicks(0, tl.end, n, plain), "time since start (s)"
}

// decorate shades every other stage, marks the stage boundaries and labels
// each stage above the plot area.
func (tl timeline) decorate(p *panel, labels bool) {
	for i, s := range tl.stages {
		x0, x1 := p.px(s.start), p.px(math.Min(s.end, tl.end))
		if x1 <= x0 {
			continue
		}
		if i%2 == 1 {
			p.c.Rects = append(p.c.Rects, svgRect{X: r1(x0), Y: r1(p.y), W: r1(x1 - x0), H: r1(p.h), Class: "band"})
		}
		if i > 0 {
			p.c.Grid = append(p.c.Grid, svgLine{X1: r1(x0), Y1: r1(p.y), X2: r1(x0), Y2: r1(p.y + p.h), Class: "stage-line"})
		}
		if labels {
			label := strconv.Itoa(s.index)
			long := "stage " + label + " · " + numfmt.Rate(s.offered) + " rps"
			short := label + " · " + numfmt.Rate(s.offered)
			switch w := x1 - x0; {
			case w > float64(len([]rune(long)))*6.6:
				label = long
			case w > float64(len([]rune(short)))*6.6:
				label = short
			case w < float64(len(label))*7+2:
				continue // too narrow even for the number
			}
			p.c.Texts = append(p.c.Texts, svgText{X: r1((x0 + x1) / 2), Y: r1(p.y - 8), Text: label, Anchor: "middle", Class: "stage-label"})
		}
	}
}

// hover adds one transparent column per window carrying a tooltip; long
// runs get none (thousands of elements for little use).
func (tl timeline) hover(p *panel, text func(i int) string) {
	if len(tl.t0) > 1200 {
		return
	}
	for i := range tl.t0 {
		x0, x1 := p.px(tl.t0[i]), p.px(tl.t1[i])
		p.c.Hovers = append(p.c.Hovers, svgRect{X: r1(x0), Y: r1(p.y), W: r1(x1 - x0), H: r1(p.h), Class: "hover", Title: text(i)})
	}
}

func (tl timeline) windowLabel(i int) string {
	return "t = " + numfmt.Num(tl.t0[i]) + "–" + numfmt.Num(tl.t1[i]) + " s"
}
