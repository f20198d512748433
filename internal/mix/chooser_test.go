package mix

import (
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// chiSquare001 are the upper critical values of the chi-square
// distribution at p = 0.001 by degrees of freedom, from the NIST/SEMATECH
// e-Handbook of Statistical Methods, §1.3.6.7.4 ("Critical Values of the
// Chi-Square Distribution", upper-tail table, column 0.001).
var chiSquare001 = map[int]float64{1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 9: 27.877}

// TestChooserWeights: over several thousand arrivals the counts of each
// request fit the weights (Pearson's chi-square below the p = 0.001
// critical value), for several seeds and weight sets.
func TestChooserWeights(t *testing.T) {
	sets := [][]float64{{7, 2, 1, 0.5}, {1, 1}, {1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, {1000, 1}}
	const n = 5000
	for _, w := range sets {
		c, err := NewChooser(w)
		if err != nil {
			t.Fatal(err)
		}
		for seed := uint64(1); seed <= 3; seed++ {
			count := make([]int, len(w))
			for seq := uint64(0); seq < n; seq++ {
				count[c.Choose(seed, seq)]++
			}
			var chi float64
			for i, k := range count {
				e := n * c.Share(i)
				chi += (float64(k) - e) * (float64(k) - e) / e
			}
			if crit := chiSquare001[len(w)-1]; chi > crit {
				t.Errorf("weights %v seed %d: counts %v, chi-square %.2f > %.3f (df %d, p = 0.001)", w, seed, count, chi, crit, len(w)-1)
			}
		}
	}
}

func TestChooserErrors(t *testing.T) {
	for _, w := range [][]float64{nil, {1, 0}, {-1}, {1, 1e400 * 0}} {
		if _, err := NewChooser(w); err == nil {
			t.Errorf("NewChooser(%v) accepted", w)
		}
	}
	c, _ := NewChooser([]float64{3})
	if c.Choose(1, 99) != 0 || c.Share(0) != 1 {
		t.Error("one request")
	}
}

// TestChooserShards: the shards of a Poisson plan choose, for each of
// their arrivals, what the whole plan chose for it; and the choice
// depends on the index only, not on the arrival time.
func TestChooserShards(t *testing.T) {
	s := exampleSet(t, 42)
	segs := []schedule.Segment{{Duration: 2 * time.Second, From: 500, To: 1500}}
	whole := map[int64]int{}
	sch, err := schedule.New(segs, schedule.Poisson, schedule.NewRand(42), 42, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	for a, ok := sch.Next(); ok; a, ok = sch.Next() {
		whole[a.Seq] = s.Choose(uint64(a.Seq))
	}
	seen := 0
	for i := 1; i <= 3; i++ {
		sh, _ := schedule.New(segs, schedule.Poisson, schedule.NewRand(42), 42, schedule.Shard{Index: i, Count: 3})
		for a, ok := sh.Next(); ok; a, ok = sh.Next() {
			seen++
			if got, want := s.Choose(uint64(a.Seq)), whole[a.Seq]; got != want {
				t.Fatalf("shard %d arrival %d chose %d, the whole plan %d", i, a.Seq, got, want)
			}
		}
	}
	if seen != len(whole) || seen < 1000 {
		t.Errorf("shards saw %d arrivals, the plan has %d", seen, len(whole))
	}
}
