package openloop

import "time"

// gapStats accumulates the gaps between consecutive sends of one stage,
// for the measured arrival SCV (Var/mean² of the gaps).
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

// SCV returns the squared coefficient of variation of n gaps with the given
// sums (0 with fewer than 2 gaps).
func SCV(n int64, sum, sumSq float64) float64 {
	if n < 2 || sum <= 0 {
		return 0
	}
	mean := sum / float64(n)
	v := (sumSq - float64(n)*mean*mean) / float64(n-1)
	if v < 0 {
		v = 0
	}
	return v / (mean * mean)
}
