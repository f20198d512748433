package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// The style of predictions (the capacity analysis, size): times to four
// significant digits, percentages with strconv's %g to three, "n/a" for
// NaN, and a 95% interval's half-width to two significant digits.

// Seconds formats a time in seconds with 4 significant digits and a
// readable unit: "49.61ms", "1.5s", "820µs"; "n/a" for NaN, "∞" for +Inf.
func Seconds(s float64) string {
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

// Share formats a fraction as a percentage with up to 3 significant
// digits (%g): 0.000951 → "0.0951%", 0.1 → "10%"; "n/a" for NaN.
func Share(f float64) string {
	if math.IsNaN(f) {
		return "n/a"
	}
	return strconv.FormatFloat(f*100, 'g', 3, 64) + "%"
}

// Interval formats a time estimate in seconds with its 95% half-width:
// "29.24ms ± 270µs" (no interval when the half-width is 0).
func Interval(v, halfWidth float64) string {
	if halfWidth == 0 {
		return Seconds(v)
	}
	return Seconds(v) + " ± " + Seconds(round2(halfWidth))
}

// ShareInterval formats a fraction estimate with its 95% half-width:
// "0.0575% ± 0.018%".
func ShareInterval(v, halfWidth float64) string {
	if halfWidth == 0 {
		return Share(v)
	}
	return Share(v) + " ± " + Share(round2(halfWidth))
}

// round2 rounds v to 2 significant digits, the precision of a half-width.
func round2(v float64) float64 {
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 2, 64), 64)
	return r
}

// Quantile names a quantile the way gates do: 0.99 → "p99", 0.999 →
// "p99.9", 0.5 → "p50" (to 6 decimals of a percent).
func Quantile(p float64) string {
	s := strconv.FormatFloat(p*100, 'f', 6, 64)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return "p" + s
}
