package report

import (
	"math"
	"strconv"
	"strings"
)

// The chart model: a chart is a list of plain SVG elements with numeric
// coordinates and string attributes, rendered by the "svg" template. Every
// string that reaches the page goes through html/template's escaping; the
// model holds no markup.

// svgChart is one figure: an SVG drawing plus its HTML heading and legend.
type svgChart struct {
	ID     string
	Title  string
	Desc   string // one sentence under the title: what to look for
	W, H   float64
	Rects  []svgRect // background bands, bars
	Grid   []svgLine
	Paths  []svgPath
	Dots   []svgDot
	Marks  []svgLine // stage boundaries, knee, capacity
	Texts  []svgText
	Hovers []svgRect // transparent rectangles that carry tooltips
	Legend []legendItem
	Notes  []string // shown under the chart
	Empty  string   // when set, the chart has no data and shows this instead
}

type svgRect struct {
	X, Y, W, H float64
	Fill       string
	Class      string
	Title      string
}

type svgLine struct {
	X1, Y1, X2, Y2 float64
	Stroke         string
	Dash           string
	Width          float64
	Class          string
}

type svgPath struct {
	D           string
	Stroke      string
	Fill        string
	FillOpacity float64
	Width       float64
	Dash        string
	Class       string
	Title       string
}

type svgDot struct {
	X, Y, R float64
	Fill    string
	Stroke  string
	Title   string
}

type svgText struct {
	X, Y   float64
	Text   string
	Anchor string // start, middle, end
	Class  string
	Rotate bool // -90° about (X, Y), for a vertical axis title
}

// legendItem is a swatch and its label; Kind is "line", "area" or "dot".
type legendItem struct {
	Label  string
	Kind   string
	Stroke string
	Fill   string
	Dash   string
}

// r1 rounds a coordinate to 0.1 so the output is short and stable.
func r1(v float64) float64 { return math.Round(v*10) / 10 }

// pathBuilder accumulates an SVG path's "d" attribute.
type pathBuilder struct {
	b    strings.Builder
	open bool // a subpath is in progress
}

func (p *pathBuilder) point(x, y float64) {
	if p.open {
		p.b.WriteByte('L')
	} else {
		if p.b.Len() > 0 {
			p.b.WriteByte(' ')
		}
		p.b.WriteByte('M')
		p.open = true
	}
	p.b.WriteString(strconv.FormatFloat(r1(x), 'f', -1, 64))
	p.b.WriteByte(',')
	p.b.WriteString(strconv.FormatFloat(r1(y), 'f', -1, 64))
}

// lift ends the current subpath: the next point starts a new one (a gap).
func (p *pathBuilder) lift() { p.open = false }

func (p *pathBuilder) close() {
	if p.open {
		p.b.WriteByte('Z')
		p.open = false
	}
}

func (p *pathBuilder) String() string { return p.b.String() }

func (p *pathBuilder) empty() bool { return p.b.Len() == 0 }

// panel is a plot area of a chart with its two scales.
type panel struct {
	c          *svgChart
	x, y, w, h float64 // plot rectangle
	xs, ys     scale
}

func (p *panel) px(v float64) float64 { return clamp(p.xs.pos(v), p.x, p.x+p.w) }
func (p *panel) py(v float64) float64 { return clamp(p.ys.pos(v), p.y, p.y+p.h) }

func clamp(v, lo, hi float64) float64 {
	if v < lo {
		return lo
	}
	if v > hi {
		return hi
	}
	return v
}

// axes draws the frame, grid lines and tick labels, and the axis titles.
func (p *panel) axes(xt, yt []tick, xTitle, yTitle string) {
	c := p.c
	for _, t := range yt {
		y := r1(p.ys.pos(t.V))
		if y < p.y-0.5 || y > p.y+p.h+0.5 {
			continue
		}
		cls := "grid-minor"
		if t.Major || t.Label != "" {
			cls = "grid"
		}
		c.Grid = append(c.Grid, svgLine{X1: r1(p.x), Y1: y, X2: r1(p.x + p.w), Y2: y, Class: cls})
		if t.Label != "" {
			c.Texts = append(c.Texts, svgText{X: r1(p.x - 6), Y: r1(y + 4), Text: t.Label, Anchor: "end", Class: "tick"})
		}
	}
	for _, t := range xt {
		x := r1(p.xs.pos(t.V))
		if x < p.x-0.5 || x > p.x+p.w+0.5 {
			continue
		}
		if t.Label == "" {
			c.Grid = append(c.Grid, svgLine{X1: x, Y1: r1(p.y), X2: x, Y2: r1(p.y + p.h), Class: "grid-minor"})
			continue
		}
		c.Grid = append(c.Grid, svgLine{X1: x, Y1: r1(p.y + p.h), X2: x, Y2: r1(p.y + p.h + 4), Class: "axis"})
		c.Texts = append(c.Texts, svgText{X: x, Y: r1(p.y + p.h + 17), Text: t.Label, Anchor: "middle", Class: "tick"})
	}
	c.Grid = append(c.Grid,
		svgLine{X1: r1(p.x), Y1: r1(p.y + p.h), X2: r1(p.x + p.w), Y2: r1(p.y + p.h), Class: "axis"},
		svgLine{X1: r1(p.x), Y1: r1(p.y), X2: r1(p.x), Y2: r1(p.y + p.h), Class: "axis"})
	if xTitle != "" {
		c.Texts = append(c.Texts, svgText{X: r1(p.x + p.w/2), Y: r1(p.y + p.h + 36), Text: xTitle, Anchor: "middle", Class: "axis-title"})
	}
	if yTitle != "" {
		c.Texts = append(c.Texts, svgText{X: r1(p.x - 48), Y: r1(p.y + p.h/2), Text: yTitle, Anchor: "middle", Class: "axis-title", Rotate: true})
	}
}

// series draws a polyline through (xs[i], ys[i]); a point that cannot be
// drawn (NaN, or <= 0 on a log scale) leaves a gap.
func (p *panel) series(xs, ys []float64, stroke, dash string, width float64, title string) {
	var pb pathBuilder
	for i := range xs {
		if !p.ys.ok(ys[i]) || !p.xs.ok(xs[i]) {
			pb.lift()
			continue
		}
		pb.point(p.px(xs[i]), p.py(ys[i]))
	}
	if !pb.empty() {
		p.c.Paths = append(p.c.Paths, svgPath{D: pb.String(), Stroke: stroke, Fill: "none", Width: width, Dash: dash, Title: title})
	}
}

// steps draws a step line: the value ys[i] holds from x0s[i] to x1s[i].
func (p *panel) steps(x0s, x1s, ys []float64, stroke, dash string, width float64, title string) {
	var pb pathBuilder
	for i := range ys {
		if !p.ys.ok(ys[i]) {
			pb.lift()
			continue
		}
		y := p.py(ys[i])
		pb.point(p.px(x0s[i]), y)
		pb.point(p.px(x1s[i]), y)
	}
	if !pb.empty() {
		p.c.Paths = append(p.c.Paths, svgPath{D: pb.String(), Stroke: stroke, Fill: "none", Width: width, Dash: dash, Title: title})
	}
}

// stackedSteps draws filled step areas between lo[i] and hi[i] over
// [x0s[i], x1s[i]] (a stacked area chart of per-window values); a window
// whose bounds are not a finite hi > lo (NaN from a hostile file's zero
// duration, say) is a gap.
func (p *panel) stackedSteps(x0s, x1s, lo, hi []float64, fill, title string) {
	var pb pathBuilder
	n := len(hi)
	filled := func(k int) bool { return hi[k] > lo[k] && !math.IsInf(hi[k]-lo[k], 0) }
	for i := 0; i < n; {
		if !filled(i) {
			i++
			continue
		}
		j := i
		for j < n && filled(j) {
			j++
		}
		for k := i; k < j; k++ {
			pb.point(p.px(x0s[k]), p.py(hi[k]))
			pb.point(p.px(x1s[k]), p.py(hi[k]))
		}
		for k := j - 1; k >= i; k-- {
			pb.point(p.px(x1s[k]), p.py(lo[k]))
			pb.point(p.px(x0s[k]), p.py(lo[k]))
		}
		pb.close()
		i = j
	}
	if !pb.empty() {
		p.c.Paths = append(p.c.Paths, svgPath{D: pb.String(), Stroke: "none", Fill: fill, FillOpacity: 0.85, Title: title})
	}
}

// dot draws a marker with a tooltip.
func (p *panel) dot(x, y float64, fill, stroke, title string) {
	if !p.xs.ok(x) || !p.ys.ok(y) {
		return
	}
	p.c.Dots = append(p.c.Dots, svgDot{X: r1(p.px(x)), Y: r1(p.py(y)), R: 3.5, Fill: fill, Stroke: stroke, Title: title})
}

// vmark draws a vertical reference line at data x with a label at its top.
func (p *panel) vmark(x float64, label, stroke, dash string) {
	if !p.xs.ok(x) {
		return
	}
	X := r1(p.px(x))
	p.c.Marks = append(p.c.Marks, svgLine{X1: X, Y1: r1(p.y), X2: X, Y2: r1(p.y + p.h), Stroke: stroke, Dash: dash, Width: 1.2})
	if label != "" {
		anchor, dx := "start", 4.0
		if X > p.x+p.w*0.7 {
			anchor, dx = "end", -4
		}
		p.c.Texts = append(p.c.Texts, svgText{X: r1(X + dx), Y: r1(p.y + 12), Text: label, Anchor: anchor, Class: "mark"})
	}
}

// hmark draws a horizontal reference line at data y with a label.
func (p *panel) hmark(y float64, label, stroke, dash string) {
	if !p.ys.ok(y) {
		return
	}
	Y := r1(p.py(y))
	p.c.Marks = append(p.c.Marks, svgLine{X1: r1(p.x), Y1: Y, X2: r1(p.x + p.w), Y2: Y, Stroke: stroke, Dash: dash, Width: 1.2})
	if label != "" {
		p.c.Texts = append(p.c.Texts, svgText{X: r1(p.x + 4), Y: r1(Y - 4), Text: label, Anchor: "start", Class: "mark"})
	}
}

// title writes a small heading inside the chart above the panel.
func (p *panel) title(s string) {
	p.c.Texts = append(p.c.Texts, svgText{X: r1(p.x), Y: r1(p.y - 8), Text: s, Anchor: "start", Class: "panel-title"})
}
