package textout

import (
	"math"
	"strconv"
	"strings"
)

// dur formats seconds with three significant digits and a unit that keeps
// the number between 1 and 1000: "850µs", "12.3ms", "1.25s".
func dur(s float64) string {
	switch {
	case math.IsNaN(s) || math.IsInf(s, 0):
		return "–"
	case s == 0:
		return "0"
	case s < 0:
		return "−" + dur(-s)
	case s < 1e-6:
		return sig3(s*1e9) + "ns"
	case s < 1e-3:
		return sig3(s*1e6) + "µs"
	case s < 1:
		return sig3(s*1e3) + "ms"
	default:
		return sig3(s) + "s"
	}
}

// pct formats a fraction as a percentage with up to three significant
// digits ("6.1%", "0.0412%", "0%").
func pct(f float64) string {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return "–"
	case f == 0:
		return "0%"
	case f < 0:
		return "−" + pct(-f)
	case f*100 < 0.001:
		return "<0.001%"
	}
	return sig3(f*100) + "%"
}

// signedPct is pct with an explicit sign: "+3.9%", "−1.5%".
func signedPct(f float64) string {
	if f >= 0 {
		return "+" + pct(f)
	}
	return pct(f)
}

// rate formats requests per second: integers with thousands separators
// from 100 up, three significant digits below.
func rate(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case v == 0:
		return "0"
	case math.Abs(v) >= 100:
		return group(int64(math.Round(v)))
	default:
		return sig3(v)
	}
}

// num formats a dimensionless number with three significant digits.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return "–"
	}
	if v == 0 {
		return "0"
	}
	if v < 0 {
		return "−" + num(-v)
	}
	return sig3(v)
}

// sig3 prints v > 0 with three significant digits and no exponent.
func sig3(v float64) string {
	d := 2 - int(math.Floor(math.Log10(v)))
	if d < 0 {
		d = 0
	}
	s := strconv.FormatFloat(v, 'f', d, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// group writes n with thousands separators: 12345 → "12,345".
func group(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "−" + s
	}
	return s
}
