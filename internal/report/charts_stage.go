package report

import (
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// stageColor picks a colour for stage i of n on a sequential ramp from
// dark blue (lowest load) to orange (highest), so load reads as heat.
func stageColor(i, n int) string {
	anchors := [...][3]float64{{13, 8, 135}, {126, 3, 168}, {204, 71, 120}, {240, 130, 40}}
	t := 0.0
	if n > 1 {
		t = float64(i) / float64(n-1)
	}
	f := t * float64(len(anchors)-1)
	k := int(math.Floor(f))
	if k >= len(anchors)-1 {
		k, f = len(anchors)-2, float64(len(anchors)-1)
	}
	u := f - float64(k)
	var rgb [3]int
	for j := range rgb {
		rgb[j] = int(math.Round(anchors[k][j] + (anchors[k+1][j]-anchors[k][j])*u))
	}
	return fmt.Sprintf("#%02X%02X%02X", rgb[0], rgb[1], rgb[2])
}

// spectrumTicks label the spectrum's x axis, which is log10(1/(1−p)).
var spectrumTicks = []struct {
	x     float64
	label string
}{
	{0, "0%"}, {math.Log10(2), "50%"}, {1, "90%"}, {2, "99%"}, {3, "99.9%"}, {4, "99.99%"}, {5, "99.999%"}, {6, "99.9999%"},
}

// spectrumChart: latency by percentile per stage, HDR style.
func spectrumChart(r *result.Result) svgChart {
	const h = 260.0
	c := svgChart{ID: "chart-spectrum", Title: "Percentile spectrum per stage",
		Desc: "Response time (log scale) at every percentile, HDR-style: the x axis stretches the tail (90%, 99%, 99.9%…) so the slowest requests are visible. Each line is one stage; a line that lifts off at high load is queueing, and fast 503 answers show as a low shelf at the left.",
		W:    chartW, H: marginTop + h + marginBot}
	type curve struct {
		xs, ys []float64
		label  string
		color  string
		count  int64
	}
	var curves []curve
	lo, hi, xmax := math.Inf(1), 0.0, 2.0
	for i := range r.Stages {
		s := &r.Stages[i]
		hist, err := result.DecodeHist(s.HDR.Latency)
		if err != nil {
			c.Notes = append(c.Notes, fmt.Sprintf("stage %d: the latency histogram is unreadable (%v)", s.Index, err))
			continue
		}
		n := hist.TotalCount()
		if n == 0 {
			continue
		}
		end := math.Log10(float64(n))
		var xs, ps []float64
		for x := 0.0; x < end && x <= 6; x += 0.025 {
			xs = append(xs, x)
			ps = append(ps, 100*(1-math.Pow(10, -x)))
		}
		vals := hist.ValueAtPercentilesSlice(ps)
		cv := curve{label: fmt.Sprintf("stage %d · %s rps (%s responses)", s.Index, numfmt.Rate(s.OfferedRPS), numfmt.Int(n)),
			color: stageColor(i, len(r.Stages)), count: n}
		for j, v := range vals {
			cv.xs = append(cv.xs, xs[j])
			cv.ys = append(cv.ys, float64(v)/1e9)
		}
		// The last step reaches the maximum, at the rank of the slowest request.
		cv.xs = append(cv.xs, math.Min(end, 6))
		cv.ys = append(cv.ys, float64(hist.Max())/1e9)
		for _, y := range cv.ys {
			if y > 0 {
				lo = math.Min(lo, y)
			}
			hi = math.Max(hi, y)
		}
		xmax = math.Max(xmax, end+0.1)
		curves = append(curves, cv)
	}
	if len(curves) == 0 {
		return noData(c, "No stage has responses with a latency histogram: there is no spectrum to show.")
	}
	xmax = math.Min(xmax, 6)
	d0, d1 := logDomain(lo, hi)
	p := &panel{c: &c, x: marginLeft, y: marginTop, w: chartW - marginLeft - marginRight - 230, h: h}
	p.xs = linScale{0, xmax, p.x, p.x + p.w}
	p.ys = logScale{d0, d1, p.y + h, p.y}
	var xt []tick
	for _, t := range spectrumTicks {
		if t.x <= xmax+1e-9 {
			xt = append(xt, tick{V: t.x, Label: t.label, Major: true})
		}
	}
	for _, t := range xt {
		c.Grid = append(c.Grid, svgLine{X1: r1(p.px(t.V)), Y1: r1(p.y), X2: r1(p.px(t.V)), Y2: r1(p.y + p.h), Class: "grid"})
	}
	p.axes(xt, logTicks(d0, d1, numfmt.Duration), "percentile", "response time")
	for _, cv := range curves {
		p.series(cv.xs, cv.ys, cv.color, "", 2, cv.label)
	}
	// A small table of the main percentiles at the right, in stage colours.
	tx := p.x + p.w + 20
	cols := [...]struct {
		dx    float64
		head  string
		value func(result.Summary) string
	}{
		{96, "p50", func(l result.Summary) string { return numfmt.Duration(l.P50) }},
		{154, "p99", func(l result.Summary) string { return numfmt.Duration(l.P99) }},
		{212, "p99.9", func(l result.Summary) string { return numfmt.Duration(l.P999) }},
	}
	c.Texts = append(c.Texts, svgText{X: r1(tx + 12), Y: r1(p.y + 4), Text: "stage", Class: "table-head"})
	for _, col := range cols {
		c.Texts = append(c.Texts, svgText{X: r1(tx + col.dx), Y: r1(p.y + 4), Text: col.head, Anchor: "end", Class: "table-head"})
	}
	for i, s := range r.Stages {
		y := p.y + 24 + float64(i)*18
		if y > p.y+p.h {
			c.Notes = append(c.Notes, "The table beside the chart shows the first stages only; every stage is in the stage table below.")
			break
		}
		c.Rects = append(c.Rects, svgRect{X: r1(tx), Y: r1(y - 8), W: 8, H: 8, Fill: stageColor(i, len(r.Stages))})
		c.Texts = append(c.Texts, svgText{X: r1(tx + 12), Y: r1(y), Text: itoa(s.Index), Class: "table-cell"})
		for _, col := range cols {
			v := col.value(s.Latency)
			if s.Latency.Count == 0 {
				v = "–"
			}
			c.Texts = append(c.Texts, svgText{X: r1(tx + col.dx), Y: r1(y), Text: v, Anchor: "end", Class: "table-cell"})
		}
	}
	for _, cv := range curves {
		c.Legend = append(c.Legend, legendItem{Label: cv.label, Kind: "line", Stroke: cv.color})
	}
	return c
}

// kneePoint is one stage on the knee chart.
type kneePoint struct {
	offered                float64
	obsX, obsP99, obsBlock float64
	predX, predP99         float64
	predBlock              float64
	hasPred                bool
}

// kneeChart: throughput, p99 and 503 ratio against offered rate, observed
// per stage, with the queueing model's predictions when the result has an
// analysis.
func kneeChart(r *result.Result) svgChart {
	const h = 210.0
	c := svgChart{ID: "chart-knee", Title: "The knee: what the target did with more load",
		Desc: "Each point is a stage. Below capacity, throughput follows the offered rate and p99 stays flat; past the knee, throughput flattens, p99 climbs to the queue's length and the target sheds the excess as 503s. Dashed: the queueing model's prediction.",
		W:    chartW, H: marginTop + 14 + h + marginBot}
	if len(r.Stages) == 0 {
		return noData(c, "The result has no stages.")
	}
	an := r.Analysis
	pred := map[int]result.StageAnalysis{}
	if an != nil {
		for _, sa := range an.Stages {
			pred[sa.Index] = sa
		}
	}
	capRPS := 0.0
	if an != nil {
		capRPS = an.CapacityRPS
	}
	var pts []kneePoint
	xhi, thi, lhi, llo, bhi := 0.0, 0.0, 0.0, math.Inf(1), 0.0
	for _, s := range r.Stages {
		k := kneePoint{offered: s.OfferedRPS, obsX: s.ThroughputRPS, obsP99: s.Latency.P99}
		k.obsBlock = shedRatio(r, &s)
		if sa, ok := pred[s.Index]; ok {
			k.hasPred = true
			k.obsP99 = sa.Observed.ResponseP99S
			k.predP99 = sa.Predicted.ResponseP99S
			k.predBlock = sa.Predicted.BlockRatio
			k.predX = s.OfferedRPS * (1 - sa.Predicted.BlockRatio)
			if an.Model.Workers > 0 && an.Model.ServiceMeanS > 0 {
				k.predX = math.Min(k.predX, float64(an.Model.Workers)/an.Model.ServiceMeanS)
			}
		}
		pts = append(pts, k)
		xhi = math.Max(xhi, k.offered)
		thi = math.Max(thi, math.Max(k.obsX, k.predX))
		bhi = math.Max(bhi, math.Max(k.obsBlock, k.predBlock))
		for _, v := range []float64{k.obsP99, k.predP99} {
			if v > 0 {
				llo, lhi = math.Min(llo, v), math.Max(lhi, v)
			}
		}
	}
	thi = math.Max(thi, xhi)
	if capRPS > 0 {
		thi = math.Max(thi, capRPS)
	}
	xtop := niceMax(xhi*1.06, 4)
	xt := linTicks(0, xtop, 4, numfmt.Rate)
	const pw, gapX, x0 = 250.0, 82.0, 68.0
	y0 := marginTop + 14
	mk := func(i int, ys scale) *panel {
		p := &panel{c: &c, x: x0 + float64(i)*(pw+gapX), y: y0, w: pw, h: h, ys: ys}
		p.xs = linScale{0, xtop, p.x, p.x + pw}
		return p
	}
	obsCol, predCol := colBlue, colOrange
	// 1. throughput
	ttop := niceMax(thi*1.06, 4)
	p1 := mk(0, linScale{0, ttop, y0 + h, y0})
	p1.title("successful throughput (2xx/s)")
	p1.axes(xt, linTicks(0, ttop, 4, numfmt.Rate), "offered rate (rps)", "responses per second")
	p1.series([]float64{0, math.Min(xtop, ttop)}, []float64{0, math.Min(xtop, ttop)}, colLight, "2 3", 1, "throughput = offered")
	// 2. p99
	var p2 *panel
	if lhi > 0 {
		d0, d1 := logDomain(llo, lhi)
		p2 = mk(1, logScale{d0, d1, y0 + h, y0})
		p2.axes(xt, logTicks(d0, d1, numfmt.Duration), "offered rate (rps)", "p99 response time")
	} else {
		p2 = mk(1, logScale{1e-3, 1, y0 + h, y0})
		p2.axes(xt, nil, "offered rate (rps)", "p99 response time")
	}
	p2.title("p99 response time")
	// 3. 503 ratio (or the codes the analysis counted as shed: "502 ratio")
	ratio := "503 ratio"
	if an != nil {
		ratio = an.Shedding.Answer() + " ratio"
	}
	btop := niceMax(math.Max(bhi*1.06, 0.01), 4)
	p3 := mk(2, linScale{0, btop, y0 + h, y0})
	p3.title(ratio + " (load shed)")
	p3.axes(xt, linTicks(0, btop, 4, numfmt.Percent), "offered rate (rps)", "fraction of scheduled")

	xs := make([]float64, len(pts))
	var obsX, obsL, obsB, prX, prL, prB, pxs []float64
	for i, k := range pts {
		xs[i] = k.offered
		obsX, obsL, obsB = append(obsX, k.obsX), append(obsL, gap(k.obsP99)), append(obsB, k.obsBlock)
		if k.hasPred {
			pxs = append(pxs, k.offered)
			prX, prL, prB = append(prX, k.predX), append(prL, gap(k.predP99)), append(prB, k.predBlock)
		}
	}
	if len(pxs) > 0 {
		p1.series(pxs, prX, predCol, "6 4", 2, "predicted throughput")
		p2.series(pxs, prL, predCol, "6 4", 2, "predicted p99")
		p3.series(pxs, prB, predCol, "6 4", 2, "predicted "+ratio)
	}
	p1.series(xs, obsX, obsCol, "", 2, "observed throughput")
	p2.series(xs, obsL, obsCol, "", 2, "observed p99")
	p3.series(xs, obsB, obsCol, "", 2, "observed "+ratio)
	for i, k := range pts {
		s := r.Stages[i]
		head := fmt.Sprintf("stage %d · offered %s rps", s.Index, numfmt.Rate(k.offered))
		if k.hasPred {
			p1.dot(k.offered, k.predX, "#fff", predCol, head+"\npredicted "+numfmt.Rate(k.predX)+" rps")
			p2.dot(k.offered, k.predP99, "#fff", predCol, head+"\npredicted p99 "+numfmt.Duration(k.predP99))
			p3.dot(k.offered, k.predBlock, "#fff", predCol, head+"\npredicted "+ratio+" "+numfmt.Percent(k.predBlock))
		}
		p1.dot(k.offered, k.obsX, obsCol, obsCol, head+"\nobserved "+numfmt.Rate(k.obsX)+" rps")
		p2.dot(k.offered, k.obsP99, obsCol, obsCol, head+"\nobserved p99 "+numfmt.Duration(k.obsP99))
		p3.dot(k.offered, k.obsBlock, obsCol, obsCol, head+"\nobserved "+ratio+" "+numfmt.Percent(k.obsBlock))
	}
	if capRPS > 0 {
		p1.hmark(capRPS, "capacity ≈ "+numfmt.Rate(capRPS)+" rps", colGrey, "4 3")
	}
	if an != nil && an.Knee != nil {
		label := "knee: stage " + itoa(an.Knee.Stage)
		for i, p := range []*panel{p1, p2, p3} {
			l := ""
			if i == 0 {
				l = label
			}
			p.vmark(an.Knee.OfferedRPS, l, colVerm, "3 3")
		}
	}
	c.Legend = []legendItem{{Label: "observed", Kind: "dot", Stroke: obsCol, Fill: obsCol}}
	if len(pxs) > 0 {
		c.Legend = append(c.Legend, legendItem{Label: "predicted (" + an.Model.Name + ")", Kind: "dot", Stroke: predCol, Fill: "#fff", Dash: "6 4"})
	}
	c.Legend = append(c.Legend, legendItem{Label: "throughput = offered", Kind: "line", Stroke: colLight, Dash: "2 3"})
	if capRPS > 0 {
		c.Legend = append(c.Legend, legendItem{Label: "estimated capacity", Kind: "line", Stroke: colGrey, Dash: "4 3"})
	}
	if an != nil && an.Knee != nil {
		c.Legend = append(c.Legend, legendItem{Label: "knee", Kind: "line", Stroke: colVerm, Dash: "3 3"})
	}
	if an == nil {
		c.Notes = append(c.Notes, "This result has no capacity analysis, so there is no prediction: run \"bploadgen analyze RESULT.json\" with the server's parameters (--workers, --queue, --service-time).")
	}
	return c
}
