package openloop

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/run/runtest"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestRetransmitsCounted: a request whose SYN the target's kernel dropped
// (its listen backlog full) is answered after the SYN is resent, and the
// client's count of TCP retransmissions says so, in every client mode;
// against an ordinary server it stays 0. The backlog is held past
// preDialWait so that the run's own first SYN is dropped too, not only
// that of the connection opened before the start (whose resends delay no
// request and are not counted): held preDialWait + 900 ms, it drops a
// first SYN sent up to 900 ms after the pre-dial gave up (the start's
// setup, slow on a loaded machine under -race, must fit in that), and
// that SYN's resend, the initial RTO (1 s) later, comes after the hold
// whenever the SYN came after the pre-dial's wait.
func TestRetransmitsCounted(t *testing.T) {
	for _, mode := range []string{"", "h1", "loop"} {
		t.Run("mode="+mode, func(t *testing.T) {
			t.Parallel()
			one := []schedule.Segment{{Duration: 100 * time.Millisecond, From: 10, To: 10}}
			var d ClosableDoer
			rec, _ := runAgainst(t, context.Background(), runtest.FullBacklog(t, preDialWait+900*time.Millisecond), runSpec{segs: one, kind: schedule.Uniform, mode: mode, doer: &d})
			d.Close()
			if rec.Total.Status["200"] != 1 || d.Retransmits() < 1 {
				t.Errorf("status %v errors %v, retransmits %d: want one 200 after a resent SYN", rec.Total.Status, rec.Total.Errors, d.Retransmits())
			}
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {})
			rec, _ = runAgainst(t, context.Background(), srv.URL, runSpec{segs: one, kind: schedule.Uniform, mode: mode, doer: &d})
			d.Close()
			if rec.Total.Status["200"] != 1 || d.Retransmits() != 0 {
				t.Errorf("ordinary server: status %v errors %v, retransmits %d", rec.Total.Status, rec.Total.Errors, d.Retransmits())
			}
		})
	}
}
