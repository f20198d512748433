package mix

import (
	"fmt"
	"math"
	"sort"

	"github.com/bploadgen/bploadgen/internal/placeholder"
)

// Chooser picks a request index for an arrival from (seed, seq) alone, with
// probability weight/Σweights: inverse-CDF sampling over the cumulative
// weights (binary search, O(log n)). Safe for concurrent use.
type Chooser struct {
	cum   []float64 // cum[i] = Σ_{j<=i} w_j
	total float64
}

// NewChooser needs at least one weight; each must be > 0 and finite.
func NewChooser(weights []float64) (*Chooser, error) {
	if len(weights) == 0 {
		return nil, fmt.Errorf("no requests to choose from")
	}
	c := &Chooser{cum: make([]float64, len(weights))}
	for i, w := range weights {
		if !(w > 0) || math.IsInf(w, 0) {
			return nil, fmt.Errorf("request %d: weight must be > 0 and finite", i+1)
		}
		c.total += w
		c.cum[i] = c.total
	}
	return c, nil
}

// Choose returns the request index of arrival seq.
func (c *Chooser) Choose(seed, seq uint64) int {
	if len(c.cum) == 1 {
		return 0
	}
	u := placeholder.Float(placeholder.Draw(seed, placeholder.StreamChoose, seq)) * c.total
	i := sort.Search(len(c.cum), func(i int) bool { return c.cum[i] > u })
	return min(i, len(c.cum)-1) // u rounded up to the total
}

// Share is request i's expected share of the arrivals.
func (c *Chooser) Share(i int) float64 {
	w := c.cum[i]
	if i > 0 {
		w -= c.cum[i-1]
	}
	return w / c.total
}
