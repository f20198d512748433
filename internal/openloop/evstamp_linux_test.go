package openloop

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestLoopKernelTimestamps: 50 rps (a send every 20 ms) against a server
// that answers after 5 ms. By default the loop sleeps from send to send
// and harvests each response on the next wake-up, about 15 ms after it
// arrived, and times it by the kernel's receive stamp: the recorded
// service time must stay near the server's own handler time, well under
// the 15 ms a read-time clock would add (the bound, a quarter of the gap,
// sits midway between the two). Its sleeps must end by their deadlines,
// not by responses: woken by an event at most once per connection dialled
// (its connect), and once more for the last response (once the schedule
// is over the loop waits for responses). With Config.WakePerResponse the loop wakes for each
// response and times it as it reads it: the same bound holds.
func TestLoopKernelTimestamps(t *testing.T) {
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	const gap, delay = 20 * time.Millisecond, 5 * time.Millisecond
	for _, perResponse := range []bool{false, true} {
		srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(delay) })
		segs := []schedule.Segment{{Duration: time.Second, From: float64(time.Second / gap), To: float64(time.Second / gap)}}
		s, _ := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
		d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: srv.URL, Timeout: 2 * time.Second})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		var got reports
		e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 100, EventLoop: true, OnDone: got.onDone, WakePerResponse: perResponse})
		if err != nil {
			t.Fatal(err)
		}
		var byEvent int // the loop's own thread calls woke: no lock
		e.hooks = &loopHooks{woke: func(n int) {
			if n > 0 {
				byEvent++
			}
		}}
		rec := e.Run(context.Background())
		checkConservation(t, rec)
		if rec.Total.ErrorCount() != 0 || rec.Total.Completed != 50 {
			t.Fatalf("per response %v: %d completed, %d errors", perResponse, rec.Total.Completed, rec.Total.ErrorCount())
		}
		var svc []time.Duration
		for _, r := range got.sorted() {
			svc = append(svc, r.end-r.sent)
		}
		srv.mu.Lock()
		handled := slices.Clone(srv.handled)
		srv.mu.Unlock()
		excess := quantile(svc, 0.5) - quantile(handled, 0.5)
		dials, _ := d.Dials()
		t.Logf("per response %v: service p50 %v, handler p50 %v, excess %v; %d sleeps ended by an event, %d dials",
			perResponse, quantile(svc, 0.5), quantile(handled, 0.5), excess, byEvent, dials)
		if excess > gap/4 {
			t.Errorf("per response %v: service p50 exceeds the handler's by %v, want under %v (responses timed when harvested?)", perResponse, excess, gap/4)
		}
		if !perResponse && int64(byEvent) > dials+1 {
			t.Errorf("the loop was woken by events %d times with %d dials: it should sleep past responses", byEvent, dials)
		}
		if perResponse && byEvent < 40 {
			t.Errorf("with WakePerResponse only %d sleeps ended by an event, want about one per response (50)", byEvent)
		}
	}
}

// TestAwaitStamps: on loopback the kernel comes to stamp arrivals (not
// reads) within the bound the start waits (the loop's lazy mode depends
// on it).
func TestAwaitStamps(t *testing.T) {
	if !awaitStamps(stampWait) {
		t.Fatalf("no stamps at arrival within %s", stampWait)
	}
}

// TestLoopTimesClosesWhenTheyHappen: a server that reads each request and
// closes the connection without answering (nginx's `return 444`), 50 rps.
// A close carries no receive stamp, so the loop must wake for it rather
// than find it at the next send 20 ms later: each error is timed within a
// quarter of the gap of its send (a close on loopback takes well under a
// millisecond; the bound sits between that and the gap), as the workers
// and net/http time it. Before the wake set held the connections' closes,
// the loop's in-flight mean against nginx read 24 times theirs.
func TestLoopTimesClosesWhenTheyHappen(t *testing.T) {
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	const gap = 20 * time.Millisecond
	url := rawServer(t, "") // closes each connection after reading its request
	segs := []schedule.Segment{{Duration: time.Second, From: float64(time.Second / gap), To: float64(time.Second / gap)}}
	s, _ := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: url, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	var got reports
	e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 100, EventLoop: true, OnDone: got.onDone})
	if err != nil {
		t.Fatal(err)
	}
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	if rec.Total.Errors["reset"] != 50 {
		t.Fatalf("errors %v, want 50 resets", rec.Total.Errors)
	}
	var took []time.Duration
	for _, r := range got.sorted() {
		took = append(took, r.end-r.sent)
	}
	t.Logf("send to close p50 %v, max %v; in flight mean %.3g", quantile(took, 0.5), quantile(took, 1), rec.Total.InFlightMean)
	if p50 := quantile(took, 0.5); p50 > gap/4 {
		t.Errorf("closes timed %v after their sends (p50), want under %v: seen at the next send?", p50, gap/4)
	}
}
