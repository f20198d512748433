package dist

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// Sampler draws one positive duration in seconds (an inter-arrival gap or a
// service time) from the random source it is given.
type Sampler interface {
	Sample(r *rand.Rand) float64
}

var (
	_ Sampler = Dist{}
	_ Sampler = Gamma{}
)

// Gamma is the gamma distribution with mean Mean seconds and squared
// coefficient of variation SCV (shape 1/SCV, scale Mean·SCV). It models
// arrivals with a measured ca² between uniform (SCV → 0) and Poisson
// (SCV = 1), or burstier (SCV > 1).
type Gamma struct {
	Mean, SCV float64
}

// Sample draws by Marsaglia & Tsang, "A simple method for generating gamma
// variables", ACM TOMS 26(3):363–372, 2000; shape < 1 via Gamma(k+1)·U^{1/k}.
// SCV ≤ 0 gives the constant Mean.
func (g Gamma) Sample(r *rand.Rand) float64 {
	if !(g.SCV > 0) {
		return g.Mean
	}
	k := 1 / g.SCV
	boost := 1.0
	if k < 1 {
		boost = math.Pow(1-r.Float64(), 1/k) // U in (0, 1]
		k++
	}
	d := k - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := 1 - r.Float64()
		if u < 1-0.0331*x*x*x*x || math.Log(u) < x*x/2+d*(1-v+math.Log(v)) {
			return d * v * g.Mean * g.SCV * boost
		}
	}
}

// Interarrivals returns the inter-arrival distribution for a rate (per
// second) and an arrival SCV: constant spacing (uniform) for 0, exponential
// (Poisson) for 1, gamma otherwise.
func Interarrivals(rate, scv float64) (Sampler, error) {
	if err := positive("arrival rate", rate); err != nil {
		return nil, err
	}
	if err := nonNegative("arrival SCV", scv); err != nil {
		return nil, err
	}
	switch {
	case scv == 0:
		return Dist{Kind: Deterministic, Mean: 1 / rate}, nil
	case scv == 1:
		return Dist{Kind: Exponential, Mean: 1 / rate}, nil
	case scv > 100:
		return nil, fmt.Errorf("arrival SCV %g is too large (at most 100)", scv)
	default:
		return Gamma{Mean: 1 / rate, SCV: scv}, nil
	}
}
