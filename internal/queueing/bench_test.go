package queueing

import (
	"math/rand/v2"
	"testing"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// BenchmarkSimulate: 200 000 measured arrivals (+10% warm-up) per op; the
// issue asks for "well under a second".
func BenchmarkSimulate(b *testing.B) {
	for _, bc := range []struct {
		name string
		cfg  SimConfig
	}{
		{"MM8K16", SimConfig{Interarrival: expDist(1.0 / 900), Service: expDist(0.01), Servers: 8, Capacity: 16}},
		{"DLN10K17", SimConfig{Interarrival: dist.Dist{Kind: dist.Deterministic, Mean: 1.0 / 900}, Service: dist.Dist{Kind: dist.Lognormal, Mean: 0.01, Sigma: 0.5}, Servers: 10, Capacity: 17}},
		{"MM500", SimConfig{Interarrival: expDist(1.0 / 45000), Service: expDist(0.01), Servers: 500}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			cfg := bc.cfg
			cfg.Arrivals = 200_000
			cfg.Quantiles = []float64{0.5, 0.99, 0.999}
			for b.Loop() {
				if _, err := Simulate(cfg, rand.New(rand.NewPCG(1, 2))); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkMMCKResponseQuantile: one p99 of admitted requests (bisection
// over the O(K + cμt) tail series).
func BenchmarkMMCKResponseQuantile(b *testing.B) {
	for _, bc := range []struct {
		name   string
		lambda float64
		c, k   int
	}{{"c8K16", 900, 8, 16}, {"c11K33", 900, 11, 33}, {"c500K5000", 60000, 500, 5000}} {
		b.Run(bc.name, func(b *testing.B) {
			m := mustMMCK(b, bc.lambda, 100, bc.c, bc.k)
			for b.Loop() {
				m.ResponseQuantile(0.99)
			}
		})
	}
}

// BenchmarkNewMMCK: the log-space stationary distribution and tail tables.
func BenchmarkNewMMCK(b *testing.B) {
	for b.Loop() {
		if _, err := NewMMCK(60000, 100, 500, 5000); err != nil {
			b.Fatal(err)
		}
	}
}
