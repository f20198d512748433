package result

import (
	"math"
	"testing"
)

// TestWalkPaths: the walk names what it finds by the document's keys,
// through slices, maps and pointers, and skips what JSON does not write.
func TestWalkPaths(t *testing.T) {
	r := &Result{
		Stages:   []Stage{{}, {Status: map[string]int64{"503": -2}}},
		Timeline: []Window{{}, {Scrape: map[string]float64{"queue_depth": math.NaN()}}},
	}
	if path, n, ok := CountOutside(r, 0, 100); !ok || path != `stages[1].status["503"]` || n != -2 {
		t.Errorf(`CountOutside = %q, %d, %v; want stages[1].status["503"], -2`, path, n, ok)
	}
	if path, _, ok := NonFinite(r); !ok || path != `timeline[1].scrape["queue_depth"]` {
		t.Errorf(`NonFinite = %q, %v; want timeline[1].scrape["queue_depth"]`, path, ok)
	}
	r.Timeline[1].Scrape = nil
	r.Stages[1].Status = nil
	if path, _, ok := NonFinite(r); ok {
		t.Errorf("NonFinite found %q in a clean result", path)
	}
	if path, _, ok := CountOutside(&r.Total, 0, 100); ok {
		t.Errorf("CountOutside found %q in a zero stage", path)
	}
}
