package sizing_test

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/sizing"
)

// The sheet's sizing example (docs/queueing.md §6): 900 requests/s, 10 ms
// exponential service, Poisson arrivals, p99 ≤ 50 ms, rejects ≤ 0.1%.
func ExampleSize() {
	z, err := sizing.Size(sizing.Spec{
		Rate:       900,
		Service:    dist.Dist{Kind: dist.Exponential, Mean: 0.010},
		ArrivalSCV: 1, // Poisson
		SLO:        sizing.SLO{Quantile: 0.99, Target: 0.050},
		MaxReject:  0.001,
	}, nil)
	if err != nil {
		panic(err)
	}
	fmt.Println(z.Workers, "workers,", z.Queue, "waiting slots (K =", z.Capacity, ")", z.Model)
	// Output:
	// 11 workers, 22 waiting slots (K = 33 ) M/M/c/K
}
