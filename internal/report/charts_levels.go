package report

import (
	"fmt"
	"slices"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// levelChartMax is the most levels the chart draws one bar each; the rest
// share the last bar.
const levelChartMax = 40

// levelsChart draws the share of the requests refused by their level (how
// many of the client's other requests were in flight when each was sent,
// result.Stage.InFlightAtSend), pooled over the stages that shed: a limit
// on requests in flight shows no bar below its level and tall ones from
// it, a rate limit bars at every level. nil when the result has no levels
// or nothing was shed, and for a shard's (the target held the other
// shards' requests too, which its levels leave out).
func levelsChart(r *result.Result) *svgChart {
	if r.Shard != nil && r.Shard.Count > 1 {
		return nil
	}
	codes := []string{"503", "429"}
	if a := r.Analysis; a != nil && a.Shedding != nil && len(a.Shedding.Statuses) > 0 {
		codes = a.Shedding.Statuses
	}
	var shed, all []int64
	for _, s := range r.Stages {
		var n int64
		for _, c := range codes {
			n += s.Status[c]
		}
		if n == 0 {
			continue
		}
		for code, l := range s.InFlightAtSend {
			l = l[:min(len(l), result.MaxLevel+1)]
			for _, dst := range []*[]int64{&all, &shed} {
				if dst == &shed && !slices.Contains(codes, code) {
					continue
				}
				for len(*dst) < len(l) {
					*dst = append(*dst, 0)
				}
				for i, v := range l {
					(*dst)[i] += max(v, 0)
				}
			}
		}
	}
	var total int64
	for _, v := range shed {
		total += v
	}
	if total == 0 {
		return nil
	}
	for len(shed) < len(all) {
		shed = append(shed, 0)
	}
	n := min(len(all), levelChartMax+1)
	if len(all) > n { // the last bar: level levelChartMax and above
		for i := n; i < len(all); i++ {
			all[n-1] += all[i]
			shed[n-1] += shed[i]
		}
	}
	label := "503"
	if a := r.Analysis; a != nil && a.Shedding != nil {
		label = a.Shedding.Answer()
	}
	const h = 180.0
	c := svgChart{ID: "chart-levels", Title: "Refused by requests in flight at the send",
		Desc: "Each bar is the share of the requests refused (" + label + ") among those sent while that many of the client's other requests were in flight, over the stages that shed. A limit on requests in flight refuses none below its level and most from it; a rate limit refuses at every level.",
		W:    chartW, H: marginTop + h + marginBot}
	p := &panel{c: &c, x: marginLeft, y: marginTop, w: chartW - marginLeft - marginRight, h: h}
	p.xs = linScale{0, float64(n), p.x, p.x + p.w}
	p.ys = linScale{0, 1, p.y + h, p.y}
	xt := linTicks(0, float64(n-1), 8, func(v float64) string { return fmt.Sprint(int(v)) })
	for i := range xt {
		xt[i].V += 0.5 // under the bar's middle
	}
	p.axes(xt, linTicks(0, 1, 4, numfmt.Percent), "the client's other requests in flight when it was sent", "share refused")
	for l := 0; l < n; l++ {
		if all[l] == 0 {
			continue
		}
		share := float64(shed[l]) / float64(all[l])
		x0, x1 := p.px(float64(l)+0.1), p.px(float64(l)+0.9)
		y := p.py(share)
		name := fmt.Sprint(l)
		if l == n-1 && len(all) > n {
			name += " or more"
		}
		title := fmt.Sprintf("level %s: %s of %s refused (%s)", name, numfmt.Int(shed[l]), numfmt.Int(all[l]), numfmt.Share(share))
		c.Rects = append(c.Rects, svgRect{X: r1(x0), Y: r1(p.y), W: r1(x1 - x0), H: r1(h), Fill: colSent},
			svgRect{X: r1(x0), Y: r1(y), W: r1(x1 - x0), H: r1(p.y + h - y), Fill: colVerm, Title: title})
		c.Hovers = append(c.Hovers, svgRect{X: r1(x0), Y: r1(p.y), W: r1(x1 - x0), H: r1(h), Class: "hover", Title: title})
	}
	c.Legend = []legendItem{{Label: "refused", Kind: "area", Fill: colVerm}, {Label: "requests were sent at this level", Kind: "area", Fill: colSent}}
	return &c
}

// colSent marks the levels requests were sent at, behind their bars.
const colSent = "#E5E7EB"
