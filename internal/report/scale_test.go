package report

import (
	"math"
	"strconv"
	"testing"
)

// TestLogDomainExtremes: whatever latencies a result file holds, a log
// axis gets finite positive bounds at least a factor of 5 apart, and its
// ticks are finitely many (1.7e308 s once widened the top to +Inf, and
// logTicks never reached it).
func TestLogDomainExtremes(t *testing.T) {
	for _, c := range [][2]float64{
		{1e-3, 1e-3}, {1.7e308, 1.7e308}, {math.MaxFloat64, math.MaxFloat64}, {5e-324, 5e-324},
		{5e-324, math.MaxFloat64}, {0, 0}, {-1, -1}, {math.NaN(), math.NaN()}, {math.Inf(1), math.Inf(1)}, {2e-4, 3.5},
	} {
		d0, d1 := logDomain(c[0], c[1])
		if !(d0 > 0) || math.IsInf(d1, 0) || !(d1/d0 >= 4.99) {
			t.Errorf("logDomain(%g, %g) = [%g, %g]", c[0], c[1], d0, d1)
			continue
		}
		ticks := logTicks(d0, d1, func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) })
		decades := math.Ceil(math.Log10(d1)) - math.Floor(math.Log10(d0))
		if len(ticks) == 0 || float64(len(ticks)) > 9*(decades+1) {
			t.Errorf("logDomain(%g, %g) = [%g, %g]: %d ticks over %g decades", c[0], c[1], d0, d1, len(ticks), decades)
		}
	}
	for _, d := range [][2]float64{{0, 1}, {1, math.Inf(1)}, {2, 1}, {math.NaN(), 1}} {
		if ticks := logTicks(d[0], d[1], func(float64) string { return "" }); ticks != nil {
			t.Errorf("logTicks(%g, %g): %d ticks, want none", d[0], d[1], len(ticks))
		}
	}
}
