package openloop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/retry"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// arrivalServer is a loopback server that records when each request
// arrived and how long its handler took.
type arrivalServer struct {
	*httptest.Server
	mu       sync.Mutex
	arrivals []time.Time
	handled  []time.Duration
}

func newArrivalServer(t *testing.T, handle func(w http.ResponseWriter, r *http.Request)) *arrivalServer {
	s := &arrivalServer{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		s.mu.Lock()
		s.arrivals = append(s.arrivals, start)
		s.mu.Unlock()
		if handle != nil {
			handle(w, r)
		}
		d := time.Since(start)
		s.mu.Lock()
		s.handled = append(s.handled, d)
		s.mu.Unlock()
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *arrivalServer) times() []time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := append([]time.Time(nil), s.arrivals...)
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}

type runSpec struct {
	segs        []schedule.Segment
	kind        schedule.Kind
	seed        int64
	maxInFlight int
	timeout     time.Duration
	grace       time.Duration
	onDone      func(a schedule.Arrival, sent, end time.Duration, r *Response) // optional per-request hook
	mode        string                                                         // "" (net/http, workers), "h1" (workers), "loop" (event loop) or "loop2" (two event loops)
	slack       time.Duration                                                  // Config.TimerSlack; 0 in mode loop2: SlackAuto
	hooks       *loopHooks                                                     // the event loop's test seam (nil: none)
	requests    *mix.Set                                                       // Config.Requests (nil: the one GET)
	byRequest   bool                                                           // Config.ByRequest
	retry       retry.Policy                                                   // Config.Retry (RetrySeed: seed)
	doer        *ClosableDoer                                                  // set to the run's client (nil: not wanted)
}

// modes are the engine's ways of sending; the end-to-end tests run in each.
// loop2 also runs with the command's default timer slack (SlackAuto), loop
// with none, so each end-to-end test sees both.
var modes = []string{"", "h1", "loop", "loop2"}

// loopParts returns the schedules of n event loops for a plan (n > 1), or
// nil for one (Config.Parts).
func loopParts(t *testing.T, segs []schedule.Segment, kind schedule.Kind, seed int64, n int) []*schedule.Schedule {
	t.Helper()
	if n <= 1 {
		return nil
	}
	var out []*schedule.Schedule
	for _, sh := range LoopShards(schedule.Shard{}, n) {
		s, err := schedule.New(segs, kind, schedule.NewRand(seed), uint64(seed), sh)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return out
}

// doerFunc adapts a function to Doer (the fake-clock tests' in-memory doers).
type doerFunc func(ctx context.Context, s *Scratch) Response

func (f doerFunc) Do(ctx context.Context, s *Scratch) Response { return f(ctx, s) }

// runAgainst runs the engine against url and returns the recording and the
// engine's start time.
func runAgainst(t *testing.T, ctx context.Context, url string, rs runSpec) (*Recording, time.Time) {
	t.Helper()
	if rs.maxInFlight == 0 {
		rs.maxInFlight = 10000
	}
	if rs.timeout == 0 {
		rs.timeout = 5 * time.Second
	}
	s, err := schedule.New(rs.segs, rs.kind, schedule.NewRand(rs.seed), uint64(rs.seed), schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	hc := HTTPConfig{Method: "GET", URL: url, Timeout: rs.timeout, MaxConns: rs.maxInFlight}
	var doer ClosableDoer
	switch rs.mode {
	case "h1", "loop", "loop2":
		d, err := NewH1Doer(hc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		doer = d
	default:
		d, err := NewHTTPDoer(hc)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		doer = d
	}
	if rs.doer != nil {
		*rs.doer = doer
	}
	var parts []*schedule.Schedule
	if rs.mode == "loop2" {
		parts = loopParts(t, rs.segs, rs.kind, rs.seed, 2)
	}
	slack := rs.slack
	if rs.mode == "loop2" && slack == 0 {
		slack = SlackAuto // the command's default
	}
	e, err := New(Config{Schedule: s, Doer: doer, MaxInFlight: rs.maxInFlight, Grace: rs.grace, Clock: testClock, Parts: parts,
		EventLoop: rs.mode == "loop" || rs.mode == "loop2", OnDone: rs.onDone, TimerSlack: slack,
		Requests: rs.requests, ByRequest: rs.byRequest, Retry: rs.retry, RetrySeed: uint64(rs.seed)})
	if err != nil {
		t.Fatal(err)
	}
	e.hooks = rs.hooks
	rec := e.Run(ctx)
	return rec, e.start
}

// checkConservation asserts that every scheduled request is accounted for
// in every stage, the total and every window, and that the stages add up.
func checkConservation(t *testing.T, rec *Recording) {
	t.Helper()
	check := func(what string, sched, sent, notSent, completed, responses, errs int64) {
		if sched != sent+notSent || sent != completed || completed != responses+errs {
			t.Errorf("%s: scheduled %d, sent %d, not sent %d, completed %d, responses %d, errors %d",
				what, sched, sent, notSent, completed, responses, errs)
		}
	}
	var sum result.Stage
	for _, s := range rec.Stages {
		check("stage "+s.Name, s.Scheduled, s.Sent, s.NotSent, s.Completed, s.Responses(), s.ErrorCount())
		sum.Scheduled += s.Scheduled
		sum.Completed += s.Completed
	}
	tot := rec.Total
	check("total", tot.Scheduled, tot.Sent, tot.NotSent, tot.Completed, tot.Responses(), tot.ErrorCount())
	if sum.Scheduled != tot.Scheduled || sum.Completed != tot.Completed {
		t.Errorf("stages add up to %d scheduled / %d completed, total says %d / %d", sum.Scheduled, sum.Completed, tot.Scheduled, tot.Completed)
	}
	var wsched int64
	for _, w := range rec.Timeline {
		var resp, errs int64
		for _, v := range w.Status {
			resp += v
		}
		for _, v := range w.Errors {
			errs += v
		}
		check("window", w.Scheduled, w.Sent, w.NotSent, w.Completed, resp, errs)
		wsched += w.Scheduled
	}
	if wsched != tot.Scheduled {
		t.Errorf("windows add up to %d scheduled, total says %d", wsched, tot.Scheduled)
	}
	if tot.Latency.Count != tot.Responses() {
		t.Errorf("latency histogram has %d values for %d responses", tot.Latency.Count, tot.Responses())
	}
}

var testClock Clock = SystemClock{}

// delays matches the plan's intended send times with the server's arrival
// times (both sorted; the k-th with the k-th) and returns the intended
// offsets and each request's delay δ = arrival − intended: the generator's
// send lag plus the loopback delivery, as measured from outside.
func delays(t *testing.T, rs runSpec, start time.Time, arrivals []time.Time) (intended, delay []time.Duration) {
	t.Helper()
	s, err := schedule.New(rs.segs, rs.kind, schedule.NewRand(rs.seed), uint64(rs.seed), schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	for {
		a, ok := s.Next()
		if !ok {
			break
		}
		intended = append(intended, a.At)
	}
	if len(intended) != len(arrivals) {
		t.Fatalf("plan has %d arrivals, server saw %d", len(intended), len(arrivals))
	}
	delay = make([]time.Duration, len(arrivals))
	for k := range arrivals {
		delay[k] = arrivals[k].Sub(start) - intended[k]
	}
	return intended, delay
}

func quantile(ds []time.Duration, q float64) time.Duration {
	c := append([]time.Duration(nil), ds...)
	sort.Slice(c, func(i, j int) bool { return c[i] < c[j] })
	return c[min(len(c)-1, int(q*float64(len(c))))]
}
