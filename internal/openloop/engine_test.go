package openloop

import (
	"context"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestStallShowsInTheTail is the coordinated-omission test: the server
// stalls for 1 s in a 10 s run at uniform 500 rps. The about 500 requests
// planned during the stall are still sent (open loop) and wait until it
// ends, so their latencies from the intended send time run from 1 s down
// to 0. Every bound is derived from the run's own record (OnDone: intended
// send, actual send and end of every request), so a loaded machine widens
// them as it should and nothing is guessed:
//   - the in-flight maxima (the stall's ~500, every window's) are the
//     reports' intervals swept in time order (checkInFlightMax);
//   - the stalled requests S are those planned before the release that
//     ended after it. With i_k the k-th earliest intended time in S and E
//     the last end in S (the release plus the time to read the last stalled
//     response), a member's latency lies in [stall end − i_k, E − i_k];
//   - the p99 of 5000 (nearest rank 4950) is the 51st longest latency, so
//     it is at least stall end − i_51, and at most the 51st largest of the
//     upper bounds (E − i_k in S, the measured latency elsewhere: on a
//     loaded machine the requests planned just after the stall can wait as
//     long); the maximum likewise from i_1. The histogram reports a
//     bucket's top (at most 0.1% above, hdrTop);
//   - the stall caught the requests planned from its start: i_1 is at most
//     the first planned time in it, so the p99 is at least 1 s − 50 gaps =
//     0.9 s, the tail the claim is about.
func TestStallShowsInTheTail(t *testing.T) {
	const rate, gap = 500.0, 2 * time.Millisecond
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			var stallFrom, stallTo atomic.Int64 // unix ns
			var held atomic.Int64               // requests the handler held until the release
			release := make(chan struct{})
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
				now := time.Now().UnixNano()
				if now >= stallFrom.Load() && now < stallTo.Load() {
					held.Add(1)
					<-release
				}
			})
			t0 := time.Now()
			stallFrom.Store(t0.Add(4 * time.Second).UnixNano())
			stallTo.Store(t0.Add(5 * time.Second).UnixNano())
			go func() {
				time.Sleep(time.Until(t0.Add(5 * time.Second)))
				close(release)
			}()
			var got reports
			rs := runSpec{segs: []schedule.Segment{{Duration: 10 * time.Second, From: rate, To: rate}},
				kind: schedule.Uniform, onDone: got.onDone, mode: mode}
			rec, start := runAgainst(t, context.Background(), srv.URL, rs)
			checkConservation(t, rec)
			tot := rec.Total
			if tot.Scheduled != 5000 || tot.NotSent != 0 || tot.Status["200"] != 5000 {
				t.Fatalf("scheduled %d, not sent %d, status %v", tot.Scheduled, tot.NotSent, tot.Status)
			}
			from, to := time.Unix(0, stallFrom.Load()).Sub(start), time.Unix(0, stallTo.Load()).Sub(start)
			all := got.sorted()
			lat, _, _ := summaries(all)
			if tot.Latency != lat {
				t.Errorf("recorded latency %+v, want (from the per-request reports) %+v", tot.Latency, lat)
			}
			checkInFlightMax(t, rec, all) // the stall's 500 in flight, and every window's
			// Each request's latency is at most: for a stalled one, the last
			// stalled end minus its intended time; for the others, their own.
			var stalled []report // in plan order
			var lastEnd time.Duration
			for _, r := range all {
				if r.at < to && r.end >= to {
					stalled = append(stalled, r)
					lastEnd = max(lastEnd, r.end)
				}
			}
			upper := make([]time.Duration, 0, len(all))
			for _, r := range all {
				if r.at < to && r.end >= to {
					upper = append(upper, lastEnd-r.at)
				} else {
					upper = append(upper, r.end-r.at)
				}
			}
			slices.Sort(upper)
			if len(stalled) < 51 {
				t.Fatalf("%d requests waited for the stall's end, want about 500", len(stalled))
			}
			firstPlanned := to // the first intended time in the stall
			for _, r := range all {
				if r.at >= from {
					firstPlanned = min(firstPlanned, r.at)
				}
			}
			i1, i51 := stalled[0].at, stalled[50].at
			p99lo, p99hi := (to - i51).Seconds(), hdrTop(upper[len(upper)-51])
			maxLo, maxHi := (to - i1).Seconds(), hdrTop(upper[len(upper)-1])
			t.Logf("%d stalled, first planned %s after the stall began; drain %s; p99 %.4fs in [%.4f, %.4f], max %.4fs in [%.4f, %.4f]",
				len(stalled), i1-from, lastEnd-to, tot.Latency.P99, p99lo, p99hi, tot.Latency.Max, maxLo, maxHi)
			if i1 > firstPlanned || i51 > firstPlanned+50*gap {
				t.Errorf("the stall did not catch the requests planned from its start: i_1 %s, i_51 %s, first planned %s", i1, i51, firstPlanned)
			}
			if p99 := tot.Latency.P99; p99 < p99lo || p99 > p99hi {
				t.Errorf("p99 = %.4fs, want in [%.4f, %.4f]", p99, p99lo, p99hi)
			}
			if mx := tot.Latency.Max; mx < maxLo || mx > maxHi {
				t.Errorf("max = %.4fs, want in [%.4f, %.4f]", mx, maxLo, maxHi)
			}
			// The generator kept sending during the stall: the server saw the
			// requests planned in it, give or take those whose delay δ (send lag
			// plus delivery, from matching the plan with the server's arrival
			// times) carried them across one of its edges: only requests planned
			// within max δ before an edge can, at most rate·max δ + 1 per edge.
			arr := srv.times()
			_, delay := delays(t, rs, start, arr)
			maxDelay := slices.Max(delay)
			var during, planned int
			for _, a := range arr {
				if off := a.Sub(start); off >= from && off < to {
					during++
				}
			}
			for _, r := range all {
				if r.at >= from && r.at < to {
					planned++
				}
			}
			tol := 2 * (rate*maxDelay.Seconds() + 1)
			if math.Abs(float64(during-planned)) > tol {
				t.Errorf("%d requests arrived during the stall, %d planned in it, tolerance %.1f (max delay %s)", during, planned, tol, maxDelay)
			}
			// Just before the release every request the handler held was in
			// flight at the generator: sent (stamped before its write) before
			// the handler saw it, ended (stamped after its response was read)
			// after the release. The handler's own count, not the arrivals
			// stamped in [from, to): a request stamped just before the stall's
			// end can reach the handler's check after it, and is answered at
			// once: on CI under -race 501 were stamped in the stall and the
			// intervals' (checked) maximum was 499, so two were not held.
			if n := held.Load(); tot.InFlightMax < n {
				t.Errorf("in-flight max %d, below the %d requests held by the stall", tot.InFlightMax, n)
			}
		})
	}
}

// hdrTop is the top of the histogram bucket of d, in seconds: what a
// percentile or maximum of a histogram holding d reports.
func hdrTop(d time.Duration) float64 {
	h := result.NewHistogram()
	_ = h.RecordValue(result.ClampNS(int64(d)))
	return float64(h.Max()) / 1e9
}

// hdrBottom is the bottom of the histogram bucket of d, in seconds: what
// a minimum of a histogram holding d reports.
func hdrBottom(d time.Duration) float64 {
	h := result.NewHistogram()
	_ = h.RecordValue(result.ClampNS(int64(d)))
	return float64(h.Min()) / 1e9
}

// TestFixedDelayReportedAccurately: for a server whose handler takes a
// fixed time (measured by the server itself, since sleeps overshoot), the
// generator's median latency exceeds the server's median handler time only
// by the loopback HTTP round trip: about 0.1–0.2 ms, 0.5 ms under the race
// detector. The claim is "within a fraction of a millisecond". Medians are
// robust to the few requests a busy machine delays, but a machine busy
// throughout (other test packages on CI's two cores, under -race) makes
// every round trip dearer: measured there, 1.1–1.5 ms. So the run first
// measures the round trip itself: the same server, mode and rate with a
// handler that does not wait; its excess of client over server medians
// is T0 (service) and L0 (latency, send lag included). The bounds are
// 1 ms + 2·T0 and 1 ms + 2·L0: the claim's millisecond plus twice what a
// round trip costs on this machine now (twice, for load that changes
// between the two runs). A generator that adds its own delay, a
// millisecond or more, still breaks them on a quiet machine.
func TestFixedDelayReportedAccurately(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			t0, l0 := medianExcess(t, mode, 1500*time.Millisecond, 0)
			ts, ls := medianExcess(t, mode, 3*time.Second, 5*time.Millisecond)
			t.Logf("round trip (no wait): service +%.3f ms, latency +%.3f ms; 5 ms handler: service +%.3f ms, latency +%.3f ms",
				t0*1e3, l0*1e3, ts*1e3, ls*1e3)
			if b := 0.001 + 2*max(t0, 0); ts < 0 || ts > b {
				t.Errorf("client service p50 − server handler p50 = %.3f ms, want within [0, %.3f ms]", ts*1e3, b*1e3)
			}
			if b := 0.001 + 2*max(l0, 0); ls < 0 || ls > b {
				t.Errorf("client latency p50 − server handler p50 = %.3f ms, want within [0, %.3f ms]", ls*1e3, b*1e3)
			}
		})
	}
}

// medianExcess runs 100 rps for d against a server whose handler sleeps
// wait, and returns the client's service and latency medians minus the
// server's handler median, seconds.
func medianExcess(t *testing.T, mode string, d, wait time.Duration) (service, latency float64) {
	t.Helper()
	srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
		if wait > 0 {
			time.Sleep(wait)
		}
	})
	rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{
		segs: []schedule.Segment{{Duration: d, From: 100, To: 100}}, kind: schedule.Uniform, mode: mode})
	checkConservation(t, rec)
	srv.mu.Lock()
	h := result.NewHistogram()
	for _, d := range srv.handled {
		_ = h.RecordValue(int64(d))
	}
	srv.mu.Unlock()
	serverP50 := float64(h.ValueAtPercentile(50)) / 1e9
	return rec.Total.ServiceTime.P50 - serverP50, rec.Total.Latency.P50 - serverP50
}

// TestHungServerSmallMaxInFlight: a server that never answers, a bound of
// 5 in flight and a 300 ms timeout, 100 rps for 2 s. Every scheduled
// request is accounted for: 5 at a time time out, the rest are not sent,
// and a warning says so. How many are sent follows from the run's own
// timings. The first 5 arrivals (at j·gap, j = 0..4, gap 10 ms) take the 5
// slots; each slot is taken again by the first arrival after it frees, so
// its sends form a chain whose intended times are
//   - at least T − L apart (T: the timeout, counted from the actual send,
//     so no request ends sooner; L: the largest send lag), which bounds the
//     chain to ⌈(D − j·gap + L)/T⌉ sends;
//   - at most c = L + S + H + gap apart (S: the longest measured service,
//     H: the longest measured delay from a completion to its OnDone hook,
//     after which the slot is free; then the next arrival takes it within a
//     gap), which gives it at least ⌊(D − j·gap)/c⌋ + 1 sends.
//
// On a quiet machine both bounds are 7 per slot, 35 in all.
func TestHungServerSmallMaxInFlight(t *testing.T) {
	const (
		rate, n = 100.0, 5
		gap     = 10 * time.Millisecond
		timeout = 300 * time.Millisecond
		dur     = 2 * time.Second
	)
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			block := make(chan struct{})
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-block:
				case <-r.Context().Done():
				}
			})
			defer close(block)
			var got reports
			var hookMu sync.Mutex
			var hooked []time.Time // when each OnDone ran, in the order of got's reports
			onDone := func(a schedule.Arrival, sent, end time.Duration, r *Response) {
				hookMu.Lock()
				defer hookMu.Unlock()
				if r != nil {
					got.onDone(a, sent, end, r)
					hooked = append(hooked, time.Now())
				}
			}
			rec, start := runAgainst(t, context.Background(), srv.URL, runSpec{
				segs: []schedule.Segment{{Duration: dur, From: rate, To: rate}}, kind: schedule.Uniform,
				maxInFlight: n, timeout: timeout, mode: mode, onDone: onDone})
			checkConservation(t, rec)
			tot := rec.Total
			if tot.Scheduled != 200 || tot.Responses() != 0 {
				t.Fatalf("scheduled %d, responses %d", tot.Scheduled, tot.Responses())
			}
			var lag, svc, hook time.Duration
			for i, r := range got.list {
				lag, svc = max(lag, r.sent-r.at), max(svc, r.end-r.sent)
				hook = max(hook, hooked[i].Sub(start)-r.end)
			}
			c := lag + svc + hook + gap
			var lo, hi int64
			for j := range n {
				first := time.Duration(j) * gap
				lo += int64((dur-first)/c) + 1
				hi += int64(math.Ceil(float64(dur-first+lag) / float64(timeout-lag)))
			}
			t.Logf("sent %d, want in [%d, %d] (largest send lag %s, service %s, completion to hook %s)", tot.Sent, lo, hi, lag, svc, hook)
			if tot.Errors[result.ErrTimeout] != tot.Sent || tot.Sent < lo || tot.Sent > hi {
				t.Errorf("sent %d, timeouts %d, want all timeouts, in [%d, %d]", tot.Sent, tot.Errors[result.ErrTimeout], lo, hi)
			}
			if tot.InFlightMax != n {
				t.Errorf("in-flight max %d, want %d", tot.InFlightMax, n)
			}
			if len(rec.Warnings) == 0 || !rec.GeneratorLimited() {
				t.Errorf("no generator-limited warning: %v", rec.Warnings)
			}
		})
	}
}

// TestInterruptedRun: cancelling the context stops sending at once; the
// requests still in flight get the grace period, then are abandoned and
// counted as canceled. Conservation holds and the result is marked.
// Bounds from the run: with C the cancel's offset from the start (the
// context's deadline) and E the recorded end,
//   - E ≥ C, and every arrival the engine handled was planned at or before
//     E; the arrivals planned before C − L (L: the largest send lag) were
//     all scheduled;
//   - the engine waited the whole grace (the server holds each request for
//     2 s), and did not wait for the server: the run's last completion lies
//     in [E + grace, first send + 2 s);
//   - E − C, how long noticing the cancel took, is under 100 ms. That bound
//     is fixed on purpose: it only has to tell "stopped" from "went on with
//     the plan" (9.3 s of it remained); noticing is a goroutine wake-up,
//     the same event as a send, whose lag the test logs.
func TestInterruptedRun(t *testing.T) {
	const (
		rate  = 50.0
		hold  = 2 * time.Second
		grace = 200 * time.Millisecond
	)
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(hold):
				case <-r.Context().Done():
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
			defer cancel()
			cancelAt, _ := ctx.Deadline()
			var mu sync.Mutex
			var lastPlanned time.Duration
			var got reports
			onDone := func(a schedule.Arrival, sent, end time.Duration, r *Response) {
				mu.Lock()
				lastPlanned = max(lastPlanned, a.At)
				mu.Unlock()
				got.onDone(a, sent, end, r)
			}
			rs := runSpec{segs: []schedule.Segment{{Duration: 10 * time.Second, From: rate, To: rate}}, kind: schedule.Uniform,
				grace: grace, mode: mode, onDone: onDone}
			meter := startWait()
			rec, start := runAgainst(t, ctx, srv.URL, rs)
			wait, waitKnown := meter.Stop()
			checkConservation(t, rec)
			tot := rec.Total
			if !rec.Interrupted {
				t.Error("not marked interrupted")
			}
			if tot.Errors[result.ErrCanceled] != tot.Sent || tot.Sent == 0 {
				t.Errorf("canceled %d of %d sent", tot.Errors[result.ErrCanceled], tot.Sent)
			}
			c, end := cancelAt.Sub(start), rec.End
			sent := got.sorted()
			var lag time.Duration
			for _, r := range sent {
				lag = max(lag, r.sent-r.at)
			}
			var lo, hi int64 // planned before C − L, planned at or before E
			s, _ := schedule.New(rs.segs, rs.kind, nil, 0, schedule.Shard{})
			for a, ok := s.Next(); ok && a.At <= end; a, ok = s.Next() {
				hi++
				if a.At < c-lag {
					lo++
				}
			}
			t.Logf("cancel at %s, end %s, scheduled %d in [%d, %d], largest send lag %s, elapsed %s", c, end, tot.Scheduled, lo, hi, lag, rec.Elapsed)
			// Noticing the cancel takes a timer and a wake-up or two: 100 ms,
			// plus what the process waited for a processor meanwhile.
			notice := 100 * time.Millisecond
			if waitKnown {
				notice += wait
			}
			if end < c || end-c > notice || tot.EndS != end.Seconds() {
				t.Errorf("end %s (%g s), cancel at %s, want within %s of it", end, tot.EndS, c, notice)
			}
			// Arrivals planned before C − L that were never dispatched had a
			// lag no send showed: the dispatcher was asleep past them. Missed
			// by less than the process waited for a processor, the machine
			// starved it: skip, with the figures; by more, it fails.
			if tot.Scheduled < lo && tot.Scheduled <= hi && lastPlanned <= end {
				firstMissed := time.Duration(float64(tot.Scheduled) / rate * float64(time.Second)) // uniform: the k-th at k/rate
				if behind := c - firstMissed; waitKnown && wait >= behind {
					t.Skipf("scheduled %d, want in [%d, %d]: the arrival planned at %s was not dispatched by the cancel at %s, while the process waited %s for a processor: the machine starved the dispatcher",
						tot.Scheduled, lo, hi, firstMissed, c, wait)
				}
			}
			if lastPlanned > end || tot.Scheduled < lo || tot.Scheduled > hi {
				t.Errorf("scheduled %d, want in [%d, %d]; last arrival handled planned at %s, end %s", tot.Scheduled, lo, hi, lastPlanned, end)
			}
			if len(sent) > 0 && (rec.Elapsed < end+grace || rec.Elapsed >= sent[0].sent+hold) {
				t.Errorf("elapsed %s, want in [%s, %s)", rec.Elapsed, end+grace, sent[0].sent+hold)
			}
		})
	}
}
