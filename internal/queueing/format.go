package queueing

import (
	"math"
	"strconv"
	"strings"
)

// FormatSeconds formats a duration given in seconds with 4 significant
// digits and a readable unit: "49.61ms", "1.5s", "820µs".
func FormatSeconds(s float64) string {
	switch {
	case math.IsNaN(s):
		return "n/a"
	case math.IsInf(s, 1):
		return "∞"
	case s == 0:
		return "0s"
	}
	unit, scale := "s", 1.0
	switch a := math.Abs(s); {
	case a < 1e-6:
		unit, scale = "ns", 1e9
	case a < 1e-3:
		unit, scale = "µs", 1e6
	case a < 1:
		unit, scale = "ms", 1e3
	}
	return strconv.FormatFloat(s*scale, 'g', 4, 64) + unit
}

// FormatPercent formats a fraction as a percentage with up to 3 significant
// digits: 0.000951 → "0.0951%", 0.1 → "10%".
func FormatPercent(f float64) string {
	if math.IsNaN(f) {
		return "n/a"
	}
	return strconv.FormatFloat(f*100, 'g', 3, 64) + "%"
}

// QuantileLabel names a quantile the way assertions do: 0.99 → "p99",
// 0.999 → "p99.9", 0.5 → "p50".
func QuantileLabel(p float64) string {
	s := strconv.FormatFloat(p*100, 'f', 6, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return "p" + s
}

// round2 rounds v to 2 significant digits, the precision of an interval's
// half-width.
func round2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 2, 64), 64)
	return r
}

// FormatSeconds formats an estimate in seconds as "29.24ms ± 270µs" (value
// to 4 significant digits, half-width to 2; no interval when it is 0).
func (e Estimate) FormatSeconds() string {
	if e.HalfWidth == 0 {
		return FormatSeconds(e.Value)
	}
	return FormatSeconds(e.Value) + " ± " + FormatSeconds(round2(e.HalfWidth))
}

// FormatPercent formats a ratio estimate as "0.0575% ± 0.018%".
func (e Estimate) FormatPercent() string {
	if e.HalfWidth == 0 {
		return FormatPercent(e.Value)
	}
	return FormatPercent(e.Value) + " ± " + FormatPercent(round2(e.HalfWidth))
}
