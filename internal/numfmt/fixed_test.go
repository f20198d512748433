package numfmt

import (
	"math"
	"testing"
)

func TestFixed(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Fixed3(0), "0"},
		{Fixed3(1234.4), "1234"},
		{Fixed3(12.34), "12.3"},
		{Fixed3(1.5), "1.50"},
		{Fixed3(-1.5), "-1.50"},
		{Fixed3(0.00123), "0.00123"},
		{FixedDuration(850e-6), "850µs"},
		{FixedDuration(0.00937), "9.37ms"},
		{FixedDuration(1.52), "1.52s"},
		{FixedDuration(5e-8), "50.0ns"},
		{FixedDuration(0), "0"},
		{Change(0.502), "+50.2%"},
		{Change(-0.015), "-1.50%"},
		{Change(math.Inf(1)), "+Inf"},
		{Change(math.Inf(-1)), "-Inf"},
		{PercentExact(0.05), "5%"},
		{PercentExact(0.0125), "1.25%"},
		{GoDuration(0.0014494), "1.449ms"},
		{GoDuration(0.01), "10ms"},
		{GoDuration(2.5e-7), "0s"},
		{GoDuration(90), "1m30s"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
