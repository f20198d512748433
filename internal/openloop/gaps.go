package openloop

import "time"

// gapStats accumulates the gaps between consecutive sends of one stage,
// for the measured arrival SCV (result.SCV of the gaps).
type gapStats struct {
	last       time.Time
	n          int64
	sum, sumSq float64 // seconds, seconds²
}

func (g *gapStats) add(t time.Time) {
	if !g.last.IsZero() {
		d := t.Sub(g.last).Seconds()
		g.n++
		g.sum += d
		g.sumSq += d * d
	}
	g.last = t
}
