//go:build linux

package openloop

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestLoopsInFlightWithinBound: with two loops and --max-in-flight 1, the
// second loop's arrival (50 ms) finds the slot held by the first loop's
// request, which the hung server keeps until its 150 ms timeout; the
// seam holds the second loop between reading the time it dispatches at
// and taking the slot until the slot is free, as a loop descheduled there
// would be. Its request is then sent after the first ended, so the
// recorded in-flight maximum is the bound, 1: a send timed by the
// reading from before the slot was free would overlap the first request
// and make it 2.
func TestLoopsInFlightWithinBound(t *testing.T) {
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	hooks := &loopHooks{acquiring: func(e *Engine) {
		for deadline := time.Now().Add(5 * time.Second); e.flying.Load() > 0 && time.Now().Before(deadline); {
			time.Sleep(time.Millisecond)
		}
	}}
	var got reports
	rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{
		segs: []schedule.Segment{{Duration: 100 * time.Millisecond, From: 20, To: 20}}, kind: schedule.Uniform,
		maxInFlight: 1, timeout: 150 * time.Millisecond, mode: "loop2", hooks: hooks, onDone: got.onDone})
	checkConservation(t, rec)
	all := got.sorted()
	if tot := rec.Total; tot.Sent != 2 || len(all) != 2 {
		t.Fatalf("sent %d, reports %d: want both arrivals sent, the second once the first timed out", tot.Sent, len(all))
	}
	checkInFlightMax(t, rec, all)
	if rec.Total.InFlightMax != 1 || all[1].sent < all[0].end {
		t.Errorf("in-flight max %d (bound 1); first [%s, %s), second sent at %s", rec.Total.InFlightMax, all[0].sent, all[0].end, all[1].sent)
	}
}
