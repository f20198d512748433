package dist

import (
	"fmt"
	"math"
)

// positive returns an error unless v is finite and > 0.
func positive(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
		return fmt.Errorf("%s must be a finite number > 0, got %g", name, v)
	}
	return nil
}

// nonNegative returns an error unless v is finite and ≥ 0.
func nonNegative(name string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
		return fmt.Errorf("%s must be a finite number ≥ 0, got %g", name, v)
	}
	return nil
}
