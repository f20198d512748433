package numfmt

import (
	"math"
	"testing"
)

func TestModelStyle(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{Seconds(0.04961), "49.61ms"}, {Seconds(1.5), "1.5s"}, {Seconds(0.00082), "820µs"},
		{Seconds(0), "0s"}, {Seconds(math.NaN()), "n/a"}, {Seconds(math.Inf(1)), "∞"}, {Seconds(3e-8), "30ns"},
		{Share(0.000951), "0.0951%"}, {Share(0.1), "10%"}, {Share(math.NaN()), "n/a"},
		{Quantile(0.99), "p99"}, {Quantile(0.999), "p99.9"}, {Quantile(0.5), "p50"},
		{Interval(0.02924, 0.000273), "29.24ms ± 270µs"}, {Interval(0.02924, 0), "29.24ms"},
		{ShareInterval(0.000575, 0.00018), "0.0575% ± 0.018%"}, {ShareInterval(0.1, 0), "10%"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}
