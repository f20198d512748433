package units

import (
	"math"
	"strconv"
	"testing"
)

func TestFormats(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Duration(0), "0"},
		{Duration(850e-6), "850µs"},
		{Duration(0.0123), "12.3ms"},
		{Duration(1.25), "1.25s"},
		{Duration(125), "2m05s"},
		{Duration(3725), "1h02m05s"},
		{Duration(59.9999), "60s"},
		{Duration(-0.002), "−2ms"},
		{Duration(math.NaN()), "–"},
		{Duration(5e-7), "500ns"},
		{Percent(0), "0%"},
		{Percent(0.0456), "4.56%"},
		{Percent(0.000001), "<0.001%"},
		{Percent(1), "100%"},
		{SignedPercent(0.039), "+3.9%"},
		{SignedPercent(-0.015), "−1.5%"},
		{Rate(0), "0"},
		{Rate(12.34), "12.3"},
		{Rate(1234.4), "1,234"},
		{Int(0), "0"},
		{Int(999), "999"},
		{Int(42000), "42,000"},
		{Int(-1234567), "−1,234,567"},
		{Num(0.5), "0.5"},
		{Num(1e7), "1e+07"},
		{Num(-3), "−3"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestShiftPoint(t *testing.T) {
	for _, c := range []struct {
		in   string
		n    int
		want string
	}{
		{"1.5", -2, "0.015"},
		{"1.5", 2, "150"},
		{"0.25", -1, "0.025"},
		{"100", -2, "1"},
		{"007", 0, "7"},
		{".5", 1, "5"},
	} {
		if got := ShiftPoint(c.in, c.n); got != c.want {
			t.Errorf("ShiftPoint(%q, %d) = %q, want %q", c.in, c.n, got, c.want)
		}
	}
}

// FuzzShiftPoint: shifting a decimal's point by n multiplies it by 10^n.
func FuzzShiftPoint(f *testing.F) {
	f.Add("1.5", -2)
	f.Add("123.456", 3)
	f.Fuzz(func(t *testing.T, dec string, n int) {
		v, err := strconv.ParseFloat(dec, 64)
		if err != nil || n < -20 || n > 20 || len(dec) > 30 || v < 0 || dec == "" {
			return
		}
		for _, r := range dec {
			if (r < '0' || r > '9') && r != '.' {
				return
			}
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
