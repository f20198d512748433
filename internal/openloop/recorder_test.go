package openloop

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The recorder's bookkeeping on the fake clock, where every event falls at
// an exact instant: which interval an event at a boundary belongs to, the
// in-flight maximum carried into intervals with no event of their own,
// when intervals are finalized, and what an outcome is counted as.

// scriptedDoer answers after the delay and with the response that f gives
// for the request's actual send offset from *start.
func scriptedDoer(start *time.Time, f func(sent time.Duration) (time.Duration, Response)) Doer {
	return doerFunc(func(ctx context.Context, _ *Scratch) Response {
		d, r := f(time.Since(*start))
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return r
		case <-ctx.Done():
			return Response{ErrClass: Classify(ctx.Err()), Err: ctx.Err(), ServerQueue: -1, ServerService: -1}
		}
	})
}

// scriptedRun runs segs (uniform) with scriptedDoer(f); onDone, if set,
// also gets the engine.
func scriptedRun(t *testing.T, segs []schedule.Segment, maxInFlight int, f func(time.Duration) (time.Duration, Response),
	onDone func(e *Engine, a schedule.Arrival, sent, end time.Duration, r *Response)) *Recording {
	t.Helper()
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	var start time.Time
	var e *Engine
	cfg := Config{Schedule: s, Doer: scriptedDoer(&start, f), MaxInFlight: maxInFlight, Clock: TimerClock{}}
	if onDone != nil {
		cfg.OnDone = func(a schedule.Arrival, sent, end time.Duration, r *Response) { onDone(e, a, sent, end, r) }
	}
	if e, err = New(cfg); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	return rec
}

func ok200(d time.Duration) func(time.Duration) (time.Duration, Response) {
	return func(time.Duration) (time.Duration, Response) {
		return d, Response{Status: 200, ServerQueue: -1, ServerService: -1}
	}
}

// TestFakeClockIntervalBoundaries: stages and windows are half-open
// [start, end): an event at a boundary belongs to the interval that starts
// there, and an interval with no event of its own still records the
// requests in flight across it.
func TestFakeClockIntervalBoundaries(t *testing.T) {
	type want struct{ stageMax, windowMax []int64 }
	tests := []struct {
		name string
		segs []schedule.Segment
		f    func(time.Duration) (time.Duration, Response)
		want want
	}{
		// Sends at 0 and exactly 1 s (the second stage's start), each 3 s
		// long: stage and window 1 hold one, stage and window 2 both.
		{"send at a boundary", []schedule.Segment{{Duration: time.Second, From: 1, To: 1}, {Duration: time.Second, From: 1, To: 1}},
			ok200(3 * time.Second), want{[]int64{1, 2}, []int64{1, 2}}},
		// Sends at 0 and 2 s, each 2.5 s long: nothing happens in [1 s, 2 s),
		// yet the first request is in flight throughout it.
		{"carried into a quiet window", []schedule.Segment{{Duration: 3 * time.Second, From: 0.5, To: 0.5}},
			ok200(2500 * time.Millisecond), want{[]int64{2}, []int64{1, 1, 2}}},
		// 100 rps with 1 ms requests, except that those sent in [0.5 s, 1 s)
		// wait until 1 s: 50 in flight then, and from 1 s on one at a time
		// again (the 51st, sent at 1 s, may overlap the 50 for no time).
		{"stall then quiet", []schedule.Segment{{Duration: 3 * time.Second, From: 100, To: 100}},
			func(at time.Duration) (time.Duration, Response) {
				d := time.Millisecond
				if at >= 500*time.Millisecond && at < time.Second {
					d = time.Second - at
				}
				return d, Response{Status: 200, ServerQueue: -1, ServerService: -1}
			}, want{nil, []int64{50, -1, 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				rec := scriptedRun(t, tt.segs, 100, tt.f, nil)
				for i, w := range tt.want.stageMax {
					if got := rec.Stages[i].InFlightMax; got != w {
						t.Errorf("stage %d: in-flight max %d, want %d", i+1, got, w)
					}
				}
				for i, w := range tt.want.windowMax {
					if got := rec.Timeline[i].InFlightMax; w >= 0 && got != w {
						t.Errorf("window %d: in-flight max %d, want %d", i, got, w)
					}
					if tw := rec.Timeline[i]; tw.TS != float64(i) || tw.DurationS != 1 {
						t.Errorf("window %d: from %g s for %g s, want %d s for 1 s", i, tw.TS, tw.DurationS, i)
					}
				}
			})
		})
	}
}

// TestFakeClockIntervalsFinalizedWhenDone: a window or stage is finalized
// (its histograms compacted, so memory does not grow with the run) as soon
// as the dispatcher has passed its end and its last request has finished,
// and not before. 100 rps, two stages (2 s and 1 s), every request 15 ms:
// the last request of an interval ending at e is sent at e − 10 ms and ends
// at e + 5 ms, after the dispatcher passed e, so its own completion
// finalizes the interval. When the request sent at T completes (T + 15 ms)
// an interval must therefore be final exactly when e ≤ T + 10 ms, except
// the last ones: no arrival passes the plan's end, so the run's end
// compacts them.
func TestFakeClockIntervalsFinalizedWhenDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var bad []string
		check := func(e *Engine, a schedule.Arrival, sent, end time.Duration, r *Response) {
			e.rec.mu.Lock()
			defer e.rec.mu.Unlock()
			for what, xs := range map[string][]acc{"window": e.rec.windows, "stage": e.rec.stages} {
				for i := range xs {
					if want := xs[i].end <= sent+10*time.Millisecond && xs[i].end < 3*time.Second; xs[i].final != want && len(bad) < 10 {
						bad = append(bad, fmt.Sprintf("at %s: %s %d [%s, %s) final %v", end, what, i, xs[i].start, xs[i].end, xs[i].final))
					}
				}
			}
		}
		scriptedRun(t, []schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 100}, {Duration: time.Second, From: 100, To: 100}},
			100, ok200(15*time.Millisecond), check)
		if len(bad) > 0 {
			t.Errorf("finalized at the wrong time:\n%s", strings.Join(bad, "\n"))
		}
	})
}

// TestFakeClockOutcomes: what each outcome is counted as. One request every
// 10 ms, each answered after 1 ms by the script below (in order): the 2xx
// range is [200, 299]; Server-Timing values of 0 are measurements; a
// non-2xx response keeps its first sample per status, with at most 20
// headers; an error keeps its first message per class, cut to 300 bytes; an
// unknown class counts as "other"; an arrival over the bound is reported to
// OnDone with sent = end = −1.
func TestFakeClockOutcomes(t *testing.T) {
	many := http.Header{}
	for i := range 25 {
		many.Set(fmt.Sprintf("X-H%02d", i), "v")
	}
	long := strings.Repeat("e", 400)
	srv := func(status int, q, s time.Duration) Response {
		return Response{Status: status, ServerQueue: q, ServerService: s, Header: http.Header{"A": {"b"}}, Body: []byte(fmt.Sprint(status))}
	}
	script := []Response{
		srv(200, 0, 0), srv(204, time.Millisecond, 2*time.Millisecond), srv(299, 0, 4*time.Millisecond),
		srv(199, -1, -1), srv(300, -1, -1), {Status: 503, ServerQueue: -1, ServerService: -1, Header: many, Body: []byte("first")},
		srv(503, -1, -1),
		{ErrClass: result.ErrTimeout, Err: errors.New(long), ServerQueue: -1, ServerService: -1},
		{ErrClass: result.ErrTimeout, Err: errors.New("second"), ServerQueue: -1, ServerService: -1},
		{ErrClass: result.ErrReset, ServerQueue: -1, ServerService: -1}, // no message to keep
		{ErrClass: "weird", Err: errors.New(strings.Repeat("w", 300)), ServerQueue: -1, ServerService: -1},
	}
	synctest.Test(t, func(t *testing.T) {
		var notSentArgs []time.Duration
		rec := scriptedRun(t, []schedule.Segment{{Duration: 130 * time.Millisecond, From: 100, To: 100}}, 1,
			func(at time.Duration) (time.Duration, Response) {
				k := int(at / (10 * time.Millisecond))
				if k == len(script) { // the 12th takes 15 ms: the 13th finds the bound
					return 15 * time.Millisecond, Response{Status: 200, ServerQueue: -1, ServerService: -1}
				}
				return time.Millisecond, script[k]
			},
			func(_ *Engine, _ schedule.Arrival, sent, end time.Duration, r *Response) {
				if r == nil {
					notSentArgs = append(notSentArgs, sent, end)
				}
			})
		tot := rec.Total
		st := tot.ServerTiming
		if tot.Latency2xx.Count != 4 || tot.Latency.Count != 8 || tot.ErrorCount() != 4 || tot.Errors[result.ErrOther] != 1 {
			t.Errorf("2xx %d, responses %d, errors %v", tot.Latency2xx.Count, tot.Latency.Count, tot.Errors)
		}
		if st == nil || st.Queue.Count != 3 || st.Service.Count != 3 || !near(st.ServiceSum, 0.006, 1e-12) || !near(st.ServiceSumSq, 20e-6, 1e-12) {
			t.Errorf("server timing %+v", st)
		}
		wantResp := map[string]string{"199": "199", "300": "300", "503": "first"}
		if len(rec.Samples.Responses) != len(wantResp) || len(rec.Samples.Responses["503"].Headers) != 20 {
			t.Errorf("response samples %+v", rec.Samples.Responses)
		}
		for code, body := range wantResp {
			if rec.Samples.Responses[code].Body != body {
				t.Errorf("sample %s: body %q, want %q", code, rec.Samples.Responses[code].Body, body)
			}
		}
		errs := rec.Samples.Errors
		if len(errs) != 2 || errs[result.ErrTimeout] != long[:300]+"…" || errs["weird"] != strings.Repeat("w", 300) {
			t.Errorf("error samples %q", errs)
		}
		if tot.NotSent != 1 || len(notSentArgs) != 2 || notSentArgs[0] != -1 || notSentArgs[1] != -1 {
			t.Errorf("not sent %d, OnDone got sent, end = %v, want −1, −1", tot.NotSent, notSentArgs)
		}
		if w, err := rec.Timeline[0].HDR.Load(); err != nil || w.Latency == "" || w.Latency2xx == "" || w.ServiceTime == "" {
			t.Errorf("window histograms %+v, %v", w, err)
		}
	})
}
