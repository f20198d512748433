package queueing_test

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/queueing"
)

// The sheet's sizing example (docs/queueing.md §6): 900 requests/s, 10 ms
// exponential service, Poisson arrivals, p99 ≤ 50 ms.
func ExampleNewMMC() {
	for _, c := range []int{10, 11} {
		m, err := queueing.NewMMC(900, 100, c)
		if err != nil {
			panic(err)
		}
		fmt.Printf("c=%d: ρ=%.3f P(wait)=%.4f p99=%.4gms\n", c, m.Utilization(), m.WaitProb(), 1000*m.ResponseQuantile(0.99))
	}
	// Output:
	// c=10: ρ=0.900 P(wait)=0.6687 p99=62.5ms
	// c=11: ρ=0.818 P(wait)=0.4305 p99=49.61ms
}

// A bounded queue: 11 workers and 22 waiting slots is K = 33.
func ExampleNewMMCK() {
	m, err := queueing.NewMMCK(900, 100, 11, 11+22)
	if err != nil {
		panic(err)
	}
	fmt.Printf("block %.3g%%, p99 of admitted %.4gms, throughput %.1f/s\n",
		100*m.BlockProb(), 1000*m.ResponseQuantile(0.99), m.Throughput())
	// Output:
	// block 0.0951%, p99 of admitted 49.07ms, throughput 899.1/s
}
