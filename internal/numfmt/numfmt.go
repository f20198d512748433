package numfmt

import (
	"math"
	"strconv"
	"strings"
)

// Duration formats a duration in seconds for people: three significant digits
// and the unit that keeps the number between 1 and 1000 ("850µs", "12.3ms",
// "1.25s", "2m05s").
func Duration(s float64) string {
	switch {
	case math.IsNaN(s) || math.IsInf(s, 0):
		return "–"
	case s == 0:
		return "0"
	case s < 0:
		return "−" + Duration(-s)
	case s < 1e-6:
		return sig3(s*1e9) + "ns"
	case s < 1e-3:
		return sig3(s*1e6) + "µs"
	case s < 1:
		return sig3(s*1e3) + "ms"
	case s < 100:
		return sig3(s) + "s"
	case s >= 1e12: // 31,700 years: past the hours' int64 (a hostile file's 1.7e308 s)
		return strconv.FormatFloat(s, 'g', 3, 64) + "s"
	default:
		m := int64(s) / 60
		sec := int64(math.Round(s)) - m*60
		if sec == 60 {
			m, sec = m+1, 0
		}
		if m >= 60 {
			return strconv.FormatInt(m/60, 10) + "h" + pad2(m%60) + "m" + pad2(sec) + "s"
		}
		return strconv.FormatInt(m, 10) + "m" + pad2(sec) + "s"
	}
}

func pad2(n int64) string {
	if n < 10 {
		return "0" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

// sig3 prints v (>= 0) with three significant digits and no exponent.
func sig3(v float64) string {
	if v == 0 {
		return "0"
	}
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

// Rate formats a rate in requests per second (no unit).
func Rate(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case v == 0:
		return "0"
	case v < 0:
		return "−" + Rate(-v)
	case v >= 1e15: // past exact integers (and int64's range): 1.7e+308
		return strconv.FormatFloat(v, 'g', 3, 64)
	case v >= 100:
		return Int(int64(math.Round(v)))
	default:
		return sig3(v)
	}
}

// Int groups thousands with commas: 42000 -> "42,000", -1500 -> "−1,500"
// (math.MinInt64 too, which has no positive).
func Int(n int64) string {
	s := strconv.FormatInt(n, 10)
	if n < 0 {
		return "−" + group(s[1:])
	}
	return group(s)
}

// group puts commas between the thousands of a string of digits.
func group(s string) string {
	if len(s) <= 3 {
		return s
	}
	var b strings.Builder
	first := len(s) % 3
	if first > 0 {
		b.WriteString(s[:first])
	}
	for i := first; i < len(s); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(s[i : i+3])
	}
	return b.String()
}

// Percent formats a fraction as a percentage with up to three significant
// digits ("0%", "0.012%", "4.56%", "100%").
func Percent(f float64) string {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return "–"
	case f == 0:
		return "0%"
	case f < 0:
		return "−" + Percent(-f)
	case f*100 < 0.001:
		return "<0.001%"
	}
	return sig3(f*100) + "%"
}

// Num formats a plain number (a scraped metric, a ratio) compactly.
func Num(v float64) string {
	switch {
	case math.IsNaN(v) || math.IsInf(v, 0):
		return "–"
	case v == 0:
		return "0"
	case v < 0:
		return "−" + Num(-v)
	case v >= 1e6 || v < 1e-3:
		return strconv.FormatFloat(v, 'g', 3, 64)
	case v >= 1000:
		return Int(int64(math.Round(v)))
	default:
		return sig3(v)
	}
}

// SignedPercent is Percent with an explicit sign: "+3.9%", "−1.5%".
func SignedPercent(f float64) string {
	if f >= 0 {
		return "+" + Percent(f)
	}
	return Percent(f)
}

// Bytes formats a size in bytes with binary units and three significant
// digits ("512 B", "1.5 KiB", "64 MiB").
func Bytes(n float64) string {
	switch {
	case math.IsNaN(n) || math.IsInf(n, 0):
		return "–"
	case n < 0:
		return "−" + Bytes(-n)
	case n < 1024:
		return strconv.FormatFloat(math.Round(n), 'f', 0, 64) + " B"
	}
	for _, u := range []string{"KiB", "MiB", "GiB"} {
		if n /= 1024; n < 1024 || u == "GiB" {
			return sig3(n) + " " + u
		}
	}
	return ""
}

// Plural is the ending of a count's noun: "" for exactly one, else "s"
// ("1 stage", "0 stages", "4 workers").
func Plural(n int64) string {
	if n == 1 {
		return ""
	}
	return "s"
}
