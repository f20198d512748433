package run

import (
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/run/runtest"
)

// TestRetransWarning: a target whose listen backlog is full when the
// run's requests connect drops their SYNs; each request waits for the
// resend, and the result counts the retransmissions and says what the
// second of latency was. Against an ordinary target it says nothing.
// The backlog is held 1.4 s: past the pre-dial's 500 ms wait by 900 ms,
// room for the start's setup on a loaded machine, and short of the
// initial RTO (1 s) after any SYN sent after that wait, so its resend
// gets through (openloop's TestRetransmitsCounted says the same).
func TestRetransWarning(t *testing.T) {
	shape := profile.Shape{Kind: "constant", Rate: 10, Duration: 100 * time.Millisecond, Set: map[string]bool{"rate": true, "duration": true}}
	for _, client := range []openloop.Client{openloop.ClientLoop, openloop.ClientNetHTTP} {
		r := mustRun(t, nil, Overrides{URL: runtest.FullBacklog(t, 1400*time.Millisecond), Shape: shape}, Options{Client: client})
		w := strings.Join(r.Warnings, "\n")
		if r.Total.Status["200"] != 1 || r.TCPRetransmits < 1 || !strings.Contains(w, "the client's TCP resent") || !strings.Contains(w, "1 request took 1 s or more") {
			t.Errorf("%s: status %v, %d retransmits, warnings %q", client, r.Total.Status, r.TCPRetransmits, r.Warnings)
		}
	}
	url, _, _ := runtest.TLSTarget(t, false)
	if r := mustRun(t, nil, Overrides{URL: url, Shape: shape}, Options{Insecure: true}); r.TCPRetransmits != 0 || retransWarning(r) != "" {
		t.Errorf("ordinary target: %d retransmits, warnings %q", r.TCPRetransmits, r.Warnings)
	}
}
