package assert

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// The numbers of the gate grammar are unsigned decimals: digits with at
// most one '.', no sign, no exponent ("1", "1.5", ".5", "5."). A
// percentage moves the point exactly, in text: "1.5%" is 0.015, not
// 0.015000000000000001.

// IsDecimal reports whether s is an unsigned decimal.
func IsDecimal(s string) bool {
	i, f, _ := strings.Cut(s, ".")
	return (i == "" || isDigits(i)) && (f == "" || isDigits(f)) && i+f != ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// ParseDecimal reads the unsigned decimal dec with its point moved by shift
// places (right when shift > 0), exactly: ParseDecimal("1.5", -2) is 0.015.
// It fails when dec is not a decimal or the value is not finite; a value
// too small to represent rounds towards 0.
func ParseDecimal(dec string, shift int) (float64, error) {
	if !IsDecimal(dec) {
		return 0, fmt.Errorf("%q is not a number like 1.5", dec)
	}
	v, err := strconv.ParseFloat(ShiftPoint(dec, shift), 64)
	if math.IsInf(v, 0) {
		return 0, fmt.Errorf("%s is too large", dec)
	}
	if err != nil && !errors.Is(err, strconv.ErrRange) {
		return 0, err
	}
	return v, nil
}

// ParseFraction reads a fraction ("0.001") or a percentage ("0.1%",
// "0.1 %"), unsigned and unbounded: callers check the range they need.
func ParseFraction(s string) (float64, error) {
	t := strings.TrimSpace(s)
	shift := 0
	if p, ok := strings.CutSuffix(t, "%"); ok {
		t, shift = strings.TrimSpace(p), -2
	}
	v, err := ParseDecimal(t, shift)
	if err != nil {
		return 0, fmt.Errorf("%q is not a fraction (0.001) or a percentage (0.1%%)", s)
	}
	return v, nil
}

// ShiftPoint moves the decimal point of the unsigned decimal dec by n
// places (right when n > 0), exactly: ShiftPoint("1.5", -2) == "0.015".
func ShiftPoint(dec string, n int) string {
	intPart, frac, _ := strings.Cut(dec, ".")
	digits := intPart + frac
	point := len(intPart) + n
	if point < 0 {
		digits = strings.Repeat("0", -point) + digits
		point = 0
	}
	if point > len(digits) {
		digits += strings.Repeat("0", point-len(digits))
	}
	i := strings.TrimLeft(digits[:point], "0")
	f := strings.TrimRight(digits[point:], "0")
	if i == "" {
		i = "0"
	}
	if f == "" {
		return i
	}
	return i + "." + f
}
