package numfmt

import (
	"math"
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
		// A hostile file's extremes: no recursion past math.MinInt64, no
		// float beyond int64 converted to one.
		{Int(math.MinInt64), "−9,223,372,036,854,775,808"},
		{Int(math.MaxInt64), "9,223,372,036,854,775,807"},
		{Rate(1.7e308), "1.7e+308"},
		{Rate(-1.7e308), "−1.7e+308"},
		{Rate(-5), "−5"},
		{Rate(-1500), "−1,500"},
		{Num(-2.5e7), "−2.5e+07"},
		{Num(-1e-9), "−1e-09"},
		{Num(-1234.5), "−1,235"},
		{Rate(123456789012345), "123,456,789,012,345"},
		{Duration(1.7e308), "1.7e+308s"},
		{Duration(1e12), "1e+12s"},
		{Num(0.5), "0.5"},
		{Num(1e7), "1e+07"},
		{Num(-3), "−3"},
		{Bytes(512), "512 B"},
		{Bytes(1536), "1.5 KiB"},
		{Bytes(64 << 20), "64 MiB"},
		{Bytes(3 << 30), "3 GiB"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestPlural(t *testing.T) {
	for n, want := range map[int64]string{0: "s", 1: "", 2: "s", -1: "s"} {
		if got := Plural(n); got != want {
			t.Errorf("Plural(%d) = %q, want %q", n, got, want)
		}
	}
}
