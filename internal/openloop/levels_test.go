package openloop

import (
	"context"
	"net/http"
	"reflect"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestFakeClockLevels: each response is counted at the number of requests
// in flight when it was sent, by status, per stage and in the total. 100
// rps for 100 ms (sends at 0, 10, …, 90 ms), each 25 ms long: those sent
// at 0 and 10 ms find 0 and 1 in flight, every later one 2 (the one sent
// 20 ms before it ended 5 ms before). Those sent before 50 ms get 200,
// the rest 503; the second stage (50 ms on) holds the 503s alone.
func TestFakeClockLevels(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		segs := []schedule.Segment{{Duration: 50 * time.Millisecond, From: 100, To: 100}, {Duration: 50 * time.Millisecond, From: 100, To: 100}}
		rec := scriptedRun(t, segs, 100, func(at time.Duration) (time.Duration, Response) {
			code := 200
			if at >= 50*time.Millisecond {
				code = 503
			}
			return 25 * time.Millisecond, Response{Status: code, ServerQueue: -1, ServerService: -1}
		}, nil)
		for _, c := range []struct {
			where string
			got   map[string][]int64
			want  map[string][]int64
		}{
			{"stage 1", rec.Stages[0].InFlightAtSend, map[string][]int64{"200": {1, 1, 3}}},
			{"stage 2", rec.Stages[1].InFlightAtSend, map[string][]int64{"503": {0, 0, 5}}},
			{"total", rec.Total.InFlightAtSend, map[string][]int64{"200": {1, 1, 3}, "503": {0, 0, 5}}},
		} {
			if !reflect.DeepEqual(c.got, c.want) {
				t.Errorf("%s: in_flight_at_send %v, want %v", c.where, c.got, c.want)
			}
		}
	})
}

// TestLevelsAtALimit: a server that takes at most 2 requests at once and
// answers 503 beyond (its slot freed before it answers, so the client
// still holds every request the server holds) refuses only requests sent
// with 2 or more others in flight, in every client mode. A worker that
// recorded its send after another's but wrote first can make a refused
// request's level one low, so 90% is required, and the medians: the 503s'
// at the limit or above, the 200s' below it. With two loops a request
// counts as in flight until its own loop reads the answer, which the other
// loop's sends do not wait for: their levels read high (the 200s' median
// was 3 of 2), so there only the 503s' floor is checked.
func TestLevelsAtALimit(t *testing.T) {
	const limit = 2
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			slots := make(chan struct{}, limit)
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
				select {
				case slots <- struct{}{}:
				default:
					w.WriteHeader(503)
					return
				}
				time.Sleep(10 * time.Millisecond)
				<-slots
			})
			rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{segs: []schedule.Segment{{Duration: time.Second, From: 400, To: 400}},
				kind: schedule.Uniform, mode: mode})
			l503, l200 := rec.Total.InFlightAtSend["503"], rec.Total.InFlightAtSend["200"]
			n503, high := int64(0), int64(0)
			for level, n := range l503 {
				n503 += n
				if level >= limit {
					high += n
				}
			}
			if n503 < 100 || float64(high) < 0.9*float64(n503) || medianLevel(l503) < limit || (mode != "loop2" && medianLevel(l200) >= limit) {
				t.Errorf("503 levels %v (%d of %d at %d or more), 200 levels %v", l503, high, n503, limit, l200)
			}
		})
	}
}

// medianLevel is the median of the levels counted in l (−1: none).
func medianLevel(l []int64) int {
	var n, c int64
	for _, v := range l {
		n += v
	}
	for level, v := range l {
		if c += v; n > 0 && 2*c >= n {
			return level
		}
	}
	return -1
}
