package assert

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestShiftPoint(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"1.5", -2, "0.015"}, {"0.015", 2, "1.5"}, {"100", -2, "1"}, {"1", 2, "100"},
		{".5", -2, "0.005"}, {"5.", 0, "5"}, {"0", 2, "0"}, {"007.100", -1, "0.71"},
		{"1.5", 2, "150"}, {"0.25", -1, "0.025"}, {".5", 1, "5"},
	}
	for _, tt := range tests {
		if got := ShiftPoint(tt.in, tt.n); got != tt.want {
			t.Errorf("ShiftPoint(%q, %d) = %q, want %q", tt.in, tt.n, got, tt.want)
		}
	}
}

// FuzzShiftPoint: shifting a decimal's point by n multiplies it by 10^n.
func FuzzShiftPoint(f *testing.F) {
	f.Add("1.5", -2)
	f.Add("123.456", 3)
	f.Fuzz(func(t *testing.T, dec string, n int) {
		v, err := strconv.ParseFloat(dec, 64)
		if err != nil || n < -20 || n > 20 || len(dec) > 30 || !IsDecimal(dec) {
			return
		}
		got, err := strconv.ParseFloat(ShiftPoint(dec, n), 64)
		if err != nil {
			t.Fatalf("ShiftPoint(%q, %d) = %q: %v", dec, n, ShiftPoint(dec, n), err)
		}
		if want := v * math.Pow(10, float64(n)); math.Abs(got-want) > 1e-9*math.Abs(want)+1e-300 {
			t.Fatalf("ShiftPoint(%q, %d) = %v, want %v", dec, n, got, want)
		}
	})
}

// TestParseFraction: fractions and percentages, exact in decimal (the
// float nearest to the decimal written, not a product of two roundings).
func TestParseFraction(t *testing.T) {
	for in, want := range map[string]float64{
		"0.001": 0.001, "0.1%": 0.001, " 0.7 % ": 0.007, "5%": 0.05, "100%": 1, "1": 1, ".5": 0.5, "2": 2,
	} {
		if got, err := ParseFraction(in); err != nil || got != want {
			t.Errorf("ParseFraction(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "%", "-1%", "+1%", "1e-3", "0x1p-2", "NaN", "inf", "1,5%", "1%%", "1 2"} {
		if got, err := ParseFraction(bad); err == nil {
			t.Errorf("ParseFraction(%q) = %v, want an error", bad, got)
		}
	}
}

// FuzzParseFraction: never panics; what parses is finite, ≥ 0, and a
// percentage is a hundredth of the same number written without %.
func FuzzParseFraction(f *testing.F) {
	for _, s := range []string{"0.1%", "0.001", "5 %", "", "1e400", "99999999999999999999999999999999%"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := ParseFraction(s)
		if err != nil {
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("ParseFraction(%q) = %v", s, v)
		}
	})
}

func TestParseDecimal(t *testing.T) {
	if v, err := ParseDecimal("1.5", -2); err != nil || v != 0.015 {
		t.Errorf("ParseDecimal(1.5, -2) = %v, %v", v, err)
	}
	if _, err := ParseDecimal("1e9", 0); err == nil {
		t.Error("ParseDecimal accepted an exponent")
	}
	if _, err := ParseDecimal("1"+strings.Repeat("0", 400), 0); err == nil {
		t.Error("ParseDecimal accepted a value that overflows")
	}
	if v, err := ParseDecimal("1", -400); err != nil || v != 0 {
		t.Errorf("an underflow = %v, %v; want 0", v, err)
	}
}
