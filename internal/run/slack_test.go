package run

import (
	"context"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
)

// TestExecuteTimerSlack: the result says the timer slack the run used: a
// given one as given, none as absent, and under SlackAuto what the event
// loop chose (above 0: the kernel's slack or a real wake-up's lateness;
// never past the cap).
func TestExecuteTimerSlack(t *testing.T) {
	url, _ := loopback(t)
	pl := NewPlan(profile.RequestSpec{URL: url},
		profile.Stage{Name: "a", Rate: 200, To: 200, Duration: 300 * time.Millisecond})
	for _, c := range []struct {
		name   string
		slack  time.Duration
		lo, hi float64
	}{
		{"given", 2 * time.Millisecond, 0.002, 0.002},
		{"none", 0, 0, 0},
		{"auto", SlackAuto, 1e-9, 200e-6},
	} {
		if c.slack == SlackAuto && !openloop.EventLoopSupported {
			continue
		}
		r, err := Execute(context.Background(), pl, Options{Analyze: NoAnalysis, TimerSlack: c.slack})
		if err != nil {
			t.Fatal(err)
		}
		if r.TimerSlackS < c.lo || r.TimerSlackS > c.hi || r.Total.Completed != 60 {
			t.Errorf("%s: timer_slack_s %g, %d completed; want within [%g, %g] and 60", c.name, r.TimerSlackS, r.Total.Completed, c.lo, c.hi)
		}
	}
}
