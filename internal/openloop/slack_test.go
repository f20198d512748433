package openloop

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// slackWakes replays the timer slack on a plan: the wake-up each arrival
// is sent on at the earliest (the intended time of the last arrival within
// slack of the first one not yet sent), and how many wake-ups that is.
func slackWakes(t *testing.T, segs []schedule.Segment, slack time.Duration) (wake []time.Duration, groups int) {
	t.Helper()
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	var at []time.Duration
	for a, ok := s.Next(); ok; a, ok = s.Next() {
		at = append(at, a.At)
	}
	for i := 0; i < len(at); {
		j := i
		for j+1 < len(at) && j+1-i < maxGroup && at[j+1] <= at[i]+slack {
			j++
		}
		for k := i; k <= j; k++ {
			wake = append(wake, at[j])
		}
		groups++
		i = j + 1
	}
	return wake, groups
}

// TestFakeClockTimerSlack: on the fake clock (worker mode, never late),
// 2000 rps with a 1 ms slack sends the arrivals in threes, each exactly at
// its group's wake-up (so the send lags are 1, 0.5 and 0 ms), and 200 rps
// (gaps longer than the slack) sends every arrival on time.
func TestFakeClockTimerSlack(t *testing.T) {
	for _, rate := range []float64{2000, 200} {
		segs := []schedule.Segment{{Duration: time.Second, From: rate, To: rate}}
		wake, groups := slackWakes(t, segs, time.Millisecond)
		synctest.Test(t, func(t *testing.T) {
			s, _ := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
			var start time.Time
			var got reports
			e, err := New(Config{Schedule: s, Doer: sleepDoer(&start, func(time.Duration) time.Duration { return 100 * time.Microsecond }),
				MaxInFlight: 100, Clock: TimerClock{}, OnDone: got.onDone, TimerSlack: time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start = time.Now()
			rec := e.Run(context.Background())
			checkConservation(t, rec)
			rs := got.sorted()
			if len(rs) != len(wake) {
				t.Fatalf("%.0f rps: %d requests, plan has %d", rate, len(rs), len(wake))
			}
			sends := map[time.Duration]bool{}
			for k, r := range rs {
				if r.sent != wake[k] {
					t.Fatalf("%.0f rps: request %d (intended %v) sent at %v, want its group's wake-up %v", rate, k, r.at, r.sent, wake[k])
				}
				sends[r.sent] = true
			}
			if len(sends) != groups {
				t.Errorf("%.0f rps: %d distinct send times, want %d wake-ups", rate, len(sends), groups)
			}
			if rate == 200 && rec.Total.SendLag.Max >= 1e-6 {
				t.Errorf("200 rps: send lag max %v, want 0 (no arrival shares a wake-up)", rec.Total.SendLag.Max)
			}
		})
	}
}
