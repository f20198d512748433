package openloop

import (
	"context"
	"net/http"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// gcCycles is how many garbage collections this process has completed.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestRunCollectsBeforeStart: Run collects garbage once after it has
// prepared everything and before the start, in every client mode, so a
// collection has completed by the time the first request ends. Without
// it a short run at a moderate rate met its first collection about a
// second in, when the recorder's first window allocated, and the loop
// woke 1.5-4 ms late around it (bench/README.md).
func TestRunCollectsBeforeStart(t *testing.T) {
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {})
	segs := []schedule.Segment{{Duration: 50 * time.Millisecond, From: 200, To: 200}}
	for _, mode := range modes {
		var once sync.Once
		var first uint64
		before := gcCycles()
		rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: segs, mode: mode,
			onDone: func(schedule.Arrival, time.Duration, time.Duration, *Response) {
				once.Do(func() { first = gcCycles() })
			}})
		checkConservation(t, rec)
		if rec.Total.Completed == 0 || first <= before {
			t.Errorf("mode %q: %d completed; collections %d before Run, %d when the first request ended: want more",
				mode, rec.Total.Completed, before, first)
		}
	}
}
