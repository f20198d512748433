package analysis

import (
	"math"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// completionRate: arrivals between the first and last windows' mid-times
// less the growth of the mean in-flight level between them, per second.
func TestCompletionRate(t *testing.T) {
	win := func(i int, sent int64, inFlight float64) windowData {
		return windowData{t: float64(i), dur: 1, sent: sent, inFlightMean: inFlight}
	}
	for _, tc := range []struct {
		name string
		w    []windowData
		want float64
		ok   bool
	}{
		{"steady", []windowData{win(0, 100, 5), win(1, 100, 5), win(2, 100, 5)}, 100, true},
		// 200 arrived between t = 0.5 and 2.5, in flight grew by 100.
		{"backlog", []windowData{win(0, 100, 0), win(1, 100, 50), win(2, 100, 100)}, 50, true},
		{"draining", []windowData{win(0, 100, 100), win(1, 100, 50), win(2, 100, 0)}, 150, true},
		{"two windows", []windowData{win(0, 100, 0), win(1, 100, 0)}, 0, false},
	} {
		d := &stageData{windows: tc.w, st: &result.Stage{Sent: 300}}
		x, ok := d.completionRate()
		if ok != tc.ok || ok && math.Abs(x-tc.want) > 1e-9 {
			t.Errorf("%s: %g, %v; want %g, %v", tc.name, x, ok, tc.want, tc.ok)
		}
		if tc.name == "backlog" && !d.backlogGrew() || tc.name == "steady" && d.backlogGrew() {
			t.Errorf("%s: backlogGrew %v", tc.name, d.backlogGrew())
		}
	}
}
