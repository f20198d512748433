package numfmt

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// The table style of `compare`: three significant digits with the
// trailing zeros kept, so a column of numbers lines up by digits.

// Fixed3 formats v with three significant digits and no exponent, keeping
// trailing zeros: 1234 → "1234", 12.3 → "12.3", 1.5 → "1.50", 0.00123 →
// "0.00123".
func Fixed3(v float64) string {
	a := math.Abs(v)
	switch {
	case a == 0:
		return "0"
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	}
	// below 1: keep three significant digits
	d := int(math.Ceil(-math.Log10(a))) + 2
	return fmt.Sprintf("%.*f", d, v)
}

// FixedDuration formats a time in seconds with Fixed3 and a fitting unit:
// "850µs", "9.37ms", "1.52s".
func FixedDuration(s float64) string {
	a := math.Abs(s)
	switch {
	case a == 0:
		return "0"
	case a >= 1:
		return Fixed3(s) + "s"
	case a >= 1e-3:
		return Fixed3(s*1e3) + "ms"
	case a >= 1e-6:
		return Fixed3(s*1e6) + "µs"
	}
	return Fixed3(s*1e9) + "ns"
}

// Change formats a relative change, always signed: 0.502 → "+50.2%",
// −0.015 → "-1.50%"; an infinite change is "+Inf" or "-Inf".
func Change(rel float64) string {
	if math.IsInf(rel, 0) {
		return fmt.Sprintf("%+.0f", rel)
	}
	s := "+"
	if rel < 0 {
		s = "-"
	}
	return s + Fixed3(math.Abs(rel)*100) + "%"
}

// PercentExact formats a fraction as a percentage with every digit:
// 0.05 → "5%", 0.0125 → "1.25%" (a setting echoed back).
func PercentExact(f float64) string { return strconv.FormatFloat(f*100, 'f', -1, 64) + "%" }

// GoDuration formats seconds as a Go duration rounded to the microsecond,
// as flags take it: 0.0014494 → "1.449ms".
func GoDuration(s float64) string {
	return time.Duration(math.Round(s*1e6) * 1e3).String()
}
