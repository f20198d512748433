package queueing

import (
	"errors"
	"fmt"
	"math"
)

// ErrUnstable is wrapped by the errors of models that need ρ < 1 (an
// unbounded queue) when the offered load reaches or exceeds the capacity.
var ErrUnstable = errors.New("unstable: utilisation ρ = λ·E[S]/c must be < 1 for an unbounded queue")

// finite reports whether v is neither NaN nor infinite.
func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// checkPositive returns an error unless v is finite and > 0.
func checkPositive(name string, v float64) error {
	if !finite(v) || v <= 0 {
		return fmt.Errorf("%s must be a finite number > 0, got %g", name, v)
	}
	return nil
}

// checkNonNegative returns an error unless v is finite and ≥ 0.
func checkNonNegative(name string, v float64) error {
	if !finite(v) || v < 0 {
		return fmt.Errorf("%s must be a finite number ≥ 0, got %g", name, v)
	}
	return nil
}

// checkProb returns an error unless 0 < p < 1.
func checkProb(name string, p float64) error {
	if !(p > 0 && p < 1) {
		return fmt.Errorf("%s must be in (0, 1), got %g", name, p)
	}
	return nil
}

// MaxCapacity bounds K (and c) so that the O(K) tables stay small.
const MaxCapacity = 10_000_000

// MaxSimArrivals bounds a simulation's arrivals + warm-up.
const MaxSimArrivals = maxSimArrivals

const maxCapacity = MaxCapacity
