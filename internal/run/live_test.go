package run

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/live/livetest"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/runqueue"
)

// mixedTarget answers 200, every 5th request 503, and holds every 7th
// past the plan's 150 ms timeout (an error of class timeout): the live
// counters must split outcomes exactly as the result does.
func mixedTarget(t *testing.T) string {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		switch {
		case i%7 == 0:
			select {
			case <-time.After(400 * time.Millisecond):
			case <-r.Context().Done():
			}
		case i%5 == 0:
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

// streamSink collects the stream's lines and when its window lines were
// written, to count those written before a time the run cannot have ended
// by, so that they came while it ran: planEnd (the interrupt's wall-clock
// time), or lastArrival after the run's start (its last arrival's
// intended time: the dispatcher waits for it), which only the result
// tells (StartedAt: the start comes after the run's preparation, which a
// loaded machine may stretch).
type streamSink struct {
	mu          sync.Mutex
	lines       [][]byte
	windowsAt   []time.Time // when each window line was written
	planEnd     time.Time
	lastArrival time.Duration
	total       chan struct{}
	onWindow    func(n int) // called, locked, after the n-th window line (nil: none)
}

func (s *streamSink) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, bytes.Clone(p))
	if bytes.HasPrefix(p, []byte(`{"total":`)) {
		close(s.total)
	} else {
		s.windowsAt = append(s.windowsAt, time.Now())
		if s.onWindow != nil {
			s.onWindow(len(s.windowsAt))
		}
	}
	return len(p), nil
}

// early counts the window lines written while r ran.
func (s *streamSink) early(r *result.Result) (n int) {
	end := s.planEnd
	if s.lastArrival > 0 {
		end = r.StartedAt.Add(s.lastArrival)
	}
	for _, at := range s.windowsAt {
		if at.Before(end) {
			n++
		}
	}
	return n
}

// TestLiveMetricsAndStream runs two stages against a loopback target with
// --metrics-listen and --stream in each client mode: scrapes during the
// run see the counters present and growing; a scrape in the linger, after
// the stream's totals line, equals the result's totals exactly; the
// stream's windows equal the result's timeline rows and add up to it.
func TestLiveMetricsAndStream(t *testing.T) {
	clients := []openloop.Client{openloop.ClientH1, openloop.ClientNetHTTP}
	if openloop.EventLoopSupported {
		clients = append(clients, openloop.ClientLoop)
	}
	for _, client := range clients {
		t.Run(string(client), func(t *testing.T) { testLive(t, client) })
	}
}

func testLive(t *testing.T, client openloop.Client) {
	pl := NewPlan(profile.RequestSpec{URL: mixedTarget(t) + "?token=hunter2secret"},
		profile.Stage{Name: "a", Rate: 60, To: 60, Duration: 1500 * time.Millisecond},
		profile.Stage{Name: "b", Rate: 100, To: 100, Duration: 1500 * time.Millisecond})
	pl.Timeout = 150 * time.Millisecond
	// The last arrival is due 2.99 s in; the first window is sealed about
	// 1.15 s in (its last arrival's 150 ms timeout): 1.8 s to spare.
	sink := &streamSink{total: make(chan struct{}), lastArrival: 2990 * time.Millisecond}
	addr := make(chan string, 1)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	// The scraper: every 200 ms until the totals line, then once in the
	// linger, then it ends the linger by cancelling ctx.
	var mid []livetest.Scrape
	var final livetest.Scrape
	var scrapeErr error
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		defer cancel()
		a := <-addr
		tick := time.NewTicker(200 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-sink.total:
				final, scrapeErr = livetest.Get(a)
				return
			case <-tick.C:
				s, err := livetest.Get(a)
				if err != nil {
					scrapeErr = err
					return
				}
				mid = append(mid, s)
			}
		}
	}()
	r, err := Execute(ctx, pl, Options{Client: client, Analyze: NoAnalysis,
		MetricsListen: "127.0.0.1:0", MetricsLinger: time.Minute, Stream: sink,
		MetricsListening: func(a string) { addr <- a }})
	if err != nil {
		t.Fatal(err)
	}
	<-scraped
	if scrapeErr != nil || final == nil {
		t.Fatalf("scrape: %v", scrapeErr)
	}
	if r.Interrupted {
		t.Fatal("ending the linger must not interrupt the run")
	}

	// During the run: present and increasing. The run lasts 3 s and the
	// scraper ticks every 200 ms, so it scrapes many times before the end.
	first, ok1 := mid[0].Value("bploadgen_requests_scheduled_total")
	last, ok2 := mid[len(mid)-1].Value("bploadgen_requests_scheduled_total")
	if len(mid) < 2 || !ok1 || !ok2 || last <= first {
		t.Errorf("mid-run scrapes: %d, scheduled %v→%v", len(mid), first, last)
	}

	// After the run: exactly the result's totals.
	tot := r.Total
	for name, want := range map[string]int64{
		"bploadgen_requests_scheduled_total": tot.Scheduled,
		"bploadgen_requests_sent_total":      tot.Sent,
		"bploadgen_requests_not_sent_total":  tot.NotSent,
		"bploadgen_attempts_total":           tot.Sent + r.Retries,
		"bploadgen_in_flight":                0,
		"bploadgen_offered_rate":             0,
		"bploadgen_stage":                    2,
	} {
		if v, ok := final.Value(name); !ok || v != float64(want) {
			t.Errorf("%s = %v (present %v), want %d", name, v, ok, want)
		}
	}
	// The target's URL is exposed redacted: the secret query value hidden.
	info := final["bploadgen_run_info"].GetMetric()
	if len(info) != 1 || len(info[0].GetLabel()) != 1 ||
		strings.Contains(info[0].GetLabel()[0].GetValue(), "hunter2") || !strings.Contains(info[0].GetLabel()[0].GetValue(), "token=") {
		t.Errorf("run_info %v", info)
	}
	var responses int64
	codes := final.ByLabel("bploadgen_responses_total", "code")
	for code, n := range tot.Status {
		responses += n
		if codes[code] != float64(n) {
			t.Errorf("responses_total{code=%s} = %v, want %d", code, codes[code], n)
		}
	}
	if len(codes) != len(tot.Status) || tot.Status["503"] == 0 {
		t.Errorf("codes %v, result %v (the target sends 503s)", codes, tot.Status)
	}
	classes := final.ByLabel("bploadgen_errors_total", "class")
	for class, n := range tot.Errors {
		if classes[class] != float64(n) {
			t.Errorf("errors_total{class=%s} = %v, want %d", class, classes[class], n)
		}
	}
	if tot.Errors[result.ErrTimeout] == 0 {
		t.Errorf("errors %v: the target holds every 7th request past the timeout", tot.Errors)
	}
	if n := final.HistogramCount("bploadgen_latency_seconds"); n != uint64(responses) || n != uint64(tot.Latency.Count) {
		t.Errorf("latency histogram count %d, responses %d, result latency count %d", n, responses, tot.Latency.Count)
	}

	checkStream(t, sink, r)
}

// checkStream: every line is JSON; the windows are the timeline's rows
// (equal, in order), the first while the run went; their counts add
// up to the totals; the last line is the result's total.
func checkStream(t *testing.T, sink *streamSink, r *result.Result) {
	t.Helper()
	sink.mu.Lock()
	defer sink.mu.Unlock()
	if len(sink.lines) != len(r.Timeline)+1 {
		t.Fatalf("%d stream lines, want %d windows and the totals", len(sink.lines), len(r.Timeline))
	}
	if sink.early(r) == 0 {
		t.Error("no window was streamed while the run went")
	}
	var sum result.Window
	for i, line := range sink.lines[:len(r.Timeline)] {
		var w result.Window
		if err := json.Unmarshal(line, &w); err != nil {
			t.Fatalf("line %d: %v", i+1, err)
		}
		want, _ := json.Marshal(r.Timeline[i])
		if got, _ := json.Marshal(w); !bytes.Equal(got, want) {
			t.Errorf("window %d streamed\n%s\nin the result\n%s", i, got, want)
		}
		sum.Scheduled += w.Scheduled
		sum.Sent += w.Sent
		sum.NotSent += w.NotSent
		sum.Completed += w.Completed
		for c, n := range w.Status {
			if sum.Status == nil {
				sum.Status = map[string]int64{}
			}
			sum.Status[c] += n
		}
	}
	tot := r.Total
	if sum.Scheduled != tot.Scheduled || sum.Sent != tot.Sent || sum.NotSent != tot.NotSent || sum.Completed != tot.Completed {
		t.Errorf("windows add up to %+v, totals %+v", sum, tot)
	}
	for c, n := range tot.Status {
		if sum.Status[c] != n {
			t.Errorf("status %s: windows %d, total %d", c, sum.Status[c], n)
		}
	}
	var last struct{ Total result.Stage }
	if err := json.Unmarshal(sink.lines[len(sink.lines)-1], &last); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(last.Total)
	if want, _ := json.Marshal(tot); !bytes.Equal(got, want) {
		t.Errorf("totals line\n%s\nresult\n%s", got, want)
	}
}

// TestLiveStreamInterrupted: an interrupt mid-run still streams every
// window of the partial timeline, equal to the result's rows (the windows
// streamed before the interrupt ended before it), then the totals; the
// metrics' final counters equal the partial result's.
func TestLiveStreamInterrupted(t *testing.T) {
	pl := NewPlan(profile.RequestSpec{URL: mixedTarget(t)},
		profile.Stage{Name: "a", Rate: 80, To: 80, Duration: 20 * time.Second})
	pl.Timeout = 150 * time.Millisecond
	// Interrupted when window 1's line is written: windows 0 and 1 are
	// sealed (about 1.15 s and 2.15 s in: ended, plus the 150 ms timeout),
	// window 2 is cut short. The interrupt follows the stream, not the
	// wall clock: the run's start (after its preparation) and the
	// finalizer (nice 19) may each be late on a loaded machine.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sink := &streamSink{total: make(chan struct{})}
	sink.onWindow = func(n int) {
		if n == 2 {
			sink.planEnd = time.Now()
			cancel()
		}
	}
	addr := make(chan string, 1)
	var final livetest.Scrape
	var scrapeErr error
	scraped := make(chan struct{})
	go func() {
		defer close(scraped)
		a := <-addr
		<-sink.total
		final, scrapeErr = livetest.Get(a)
	}()
	r, err := Execute(ctx, pl, Options{Client: openloop.ClientH1, Analyze: NoAnalysis, Stream: sink,
		MetricsListen: "127.0.0.1:0", MetricsListening: func(a string) { addr <- a }})
	if err != nil {
		t.Fatal(err)
	}
	if !r.Interrupted || len(r.Timeline) < 2 || len(r.Timeline) > 3 {
		t.Fatalf("interrupted %v, %d windows", r.Interrupted, len(r.Timeline))
	}
	// The linger is 0 and ctx is cancelled: the scrape may find the
	// endpoint closed already; when it got through, it is exact.
	<-scraped
	if scrapeErr == nil {
		if v, _ := final.Value("bploadgen_requests_scheduled_total"); v != float64(r.Total.Scheduled) {
			t.Errorf("scheduled_total %v, result %d", v, r.Total.Scheduled)
		}
	}
	checkStream(t, sink, r)
}

// TestLiveStreamLowRate: at 0.5 rps for 4 s the arrivals are at 0 and
// 2 s; the first one's window is streamed once it has ended, about 1 s in,
// although the next arrival, which would tell the dispatcher the window is
// over, comes only at 2 s (both dispatchers: the worker pool's and the
// event loop's).
func TestLiveStreamLowRate(t *testing.T) {
	clients := []openloop.Client{openloop.ClientH1}
	if openloop.EventLoopSupported {
		clients = append(clients, openloop.ClientLoop)
	}
	for _, client := range clients {
		t.Run(string(client), func(t *testing.T) {
			url, _ := loopback(t)
			pl := NewPlan(profile.RequestSpec{URL: url},
				profile.Stage{Name: "slow", Rate: 0.5, To: 0.5, Duration: 4 * time.Second})
			pl.Timeout = time.Second
			// Window 0 ends at 1 s, its request long before: it is sealed
			// about 1 s in, 1 s before the second arrival is due.
			sink := &streamSink{total: make(chan struct{}), lastArrival: 2 * time.Second}
			meter := runqueue.Start()
			r, err := Execute(context.Background(), pl, Options{Client: client, Analyze: NoAnalysis, Stream: sink})
			wait, waitKnown := meter.Stop()
			if err != nil {
				t.Fatal(err)
			}
			if r.Total.Completed != 2 || len(r.Timeline) != 4 {
				t.Fatalf("completed %d, %d windows", r.Total.Completed, len(r.Timeline))
			}
			// Window 0's line is written by the finalizer, at nice 19: on
			// cores busy with other work it can wait long for a processor.
			// Later than 1 s after the run's start by no more than the
			// process waited for one, the machine starved it: skip. A
			// window sealed only by the next arrival is a second late,
			// and fails unless the process waited that long.
			if sink.early(r) == 0 && len(sink.windowsAt) > 0 && waitKnown {
				if late := sink.windowsAt[0].Sub(r.StartedAt.Add(time.Second)); wait >= late {
					t.Skipf("window 0 streamed %s after its end (1 s), after the second arrival; the process waited %s for a processor", late, wait)
				}
			}
			checkStream(t, sink, r)
		})
	}
}
