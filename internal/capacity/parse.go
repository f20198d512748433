package capacity

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// MaxOverloadProbes bounds the --overload list.
const MaxOverloadProbes = 10

// ParseOverload reads the overload multiples: "none" for no overload probes, or a
// comma-separated list of multiples of the capacity, each above 1 and at
// most MaxOverload, in the order given ("1.5,2,3"); duplicates are refused.
// Errors quote s; the caller names the setting.
func ParseOverload(s string) ([]float64, error) {
	t := strings.TrimSpace(s)
	if strings.EqualFold(t, "none") {
		return nil, nil
	}
	if t == "" {
		return nil, fmt.Errorf("%q: want multiples like 1.5,2,3, or none", s)
	}
	parts := strings.Split(t, ",")
	if len(parts) > MaxOverloadProbes {
		return nil, fmt.Errorf("%q: at most %d multiples", s, MaxOverloadProbes)
	}
	out := make([]float64, 0, len(parts))
	for _, p := range parts {
		p = strings.TrimSuffix(strings.TrimSpace(p), "x")
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("%q: %q is not a number", s, p)
		}
		if !(v > 1) || v > MaxOverload {
			return nil, fmt.Errorf("%q: %s must be above 1 and at most %d (a multiple of the capacity)", s, p, MaxOverload)
		}
		for _, o := range out {
			if o == v {
				return nil, fmt.Errorf("%q: %s is given twice", s, p)
			}
		}
		out = append(out, v)
	}
	return out, nil
}
