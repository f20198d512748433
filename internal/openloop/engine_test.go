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

// TestStepAndSpikeRatesAtTheServer: the server receives, per stage, the
// planned number of requests. With uniform arrivals the plan is exact
// (integral Λ per stage). A request is counted in a neighbouring stage at
// the server only if its delay δ (send lag + delivery, measured by matching
// the plan's intended times with the server's arrival times) carries it
// across a boundary, so a stage's count can differ from the plan by at most
// the requests planned within max δ of its boundaries: rate × max δ near
// each boundary, plus one for rounding. On a quiet machine δ is well under
// a millisecond and the bound is a request or two; the test also requires
// the median δ to stay under 5 ms, so a generator that fell behind could not
// pass by inflating its own tolerance.
func TestStepAndSpikeRatesAtTheServer(t *testing.T) {
	tests := []struct {
		name string
		segs []schedule.Segment
	}{
		{"step", []schedule.Segment{{Duration: time.Second, From: 100, To: 100}, {Duration: time.Second, From: 300, To: 300}, {Duration: time.Second, From: 500, To: 500}}},
		{"spike", []schedule.Segment{{Duration: time.Second, From: 100, To: 100}, {Duration: 500 * time.Millisecond, From: 1000, To: 1000}, {Duration: time.Second, From: 100, To: 100}}},
	}
	for _, mode := range modes {
		for _, tt := range tests {
			t.Run(tt.name+"/mode="+mode, func(t *testing.T) {
				srv := newArrivalServer(t, nil)
				rs := runSpec{segs: tt.segs, kind: schedule.Uniform, mode: mode}
				rec, start := runAgainst(t, context.Background(), srv.URL, rs)
				checkConservation(t, rec)
				arr := srv.times()
				intended, delay := delays(t, rs, start, arr)
				if med := quantile(delay, 0.5); med > 5*time.Millisecond {
					t.Fatalf("median delay %s: the generator is far behind its plan", med)
				}
				// maxDelayNear is the largest δ of requests planned within 50 ms
				// before boundary b.
				maxDelayNear := func(b time.Duration) time.Duration {
					var m time.Duration
					for k, at := range intended {
						if at < b && at >= b-50*time.Millisecond {
							m = max(m, delay[k])
						}
					}
					return m
				}
				var bound time.Duration
				for i, g := range tt.segs {
					lo, hi := bound, bound+g.Duration
					bound = hi
					var n int
					for _, a := range arr {
						if off := a.Sub(start); off >= lo && off < hi {
							n++
						}
					}
					want := g.From * g.Duration.Seconds()
					tol := 1.0
					if i > 0 {
						tol += tt.segs[i-1].From * maxDelayNear(lo).Seconds()
					}
					if i < len(tt.segs)-1 {
						tol += g.From * maxDelayNear(hi).Seconds()
					}
					t.Logf("stage %d: server saw %d, plan %g, tolerance %.1f", i+1, n, want, tol)
					if math.Abs(float64(n)-want) > tol {
						t.Errorf("stage %d: server saw %d requests, plan %g ± %.1f", i+1, n, want, tol)
					}
					if got := rec.Stages[i].Scheduled; float64(got) != want {
						t.Errorf("stage %d: scheduled %d, plan %g", i+1, got, want)
					}
					if math.Abs(rec.Stages[i].OfferedRPS-g.From) > 1e-9 {
						t.Errorf("stage %d: offered %g, want %g", i+1, rec.Stages[i].OfferedRPS, g.From)
					}
				}
			})
		}
	}
}

// TestArrivalSCVAtTheServer: gaps between arrivals at the server have an
// SCV near 1 for Poisson and near 0 for uniform. Server gaps are the
// planned gaps plus the change in delay, g = I + Δδ, so
// SCV_server = SCV_plan + (Var Δδ + 2 Cov(I, Δδ))/m². The test bounds the
// difference from the process's SCV by the sampling error of the plan's
// SCV (4 standard errors; for n exponential gaps the SCV's standard error
// is 2/√n: by the delta method on s²/x̄² with σ = μ = 1, μ3 = 2, μ4 = 9,
// Var = (μ4 − σ⁴ − 4μ3 + 4σ²)/n = (8 − 8 + 4)/n) plus the measured jitter
// term (Var Δδ + 2·sd(I)·sd(Δδ))/m² (Cauchy–Schwarz on the covariance),
// computed from this run's δ. On a quiet machine the jitter term is below
// 0.01; a loaded one widens it, as it should.
func TestArrivalSCVAtTheServer(t *testing.T) {
	for _, mode := range modes {
		for _, kind := range []schedule.Kind{schedule.Poisson, schedule.Uniform} {
			t.Run(kind.String()+"/mode="+mode, func(t *testing.T) {
				srv := newArrivalServer(t, nil)
				rs := runSpec{segs: []schedule.Segment{{Duration: 3 * time.Second, From: 400, To: 400}}, kind: kind, seed: 3, mode: mode}
				rec, start := runAgainst(t, context.Background(), srv.URL, rs)
				checkConservation(t, rec)
				arr := srv.times()
				intended, delay := delays(t, rs, start, arr)
				var gs, planned, jitter []float64
				for k := 1; k < len(arr); k++ {
					gs = append(gs, arr[k].Sub(arr[k-1]).Seconds())
					planned = append(planned, (intended[k] - intended[k-1]).Seconds())
					jitter = append(jitter, (delay[k] - delay[k-1]).Seconds())
				}
				n := int64(len(gs))
				scv := SCV(n, sum(gs), sumSq(gs))
				// m is the planned mean gap, ms the server's (they differ by the
				// change of delay over the run, divided by n).
				m, ms := sum(planned)/float64(n), sum(gs)/float64(n)
				scvPlan := SCV(n, sum(planned), sumSq(planned))
				sdI, sdJ := math.Sqrt(variance(planned)), math.Sqrt(variance(jitter))
				jitterTerm := (sdJ*sdJ + 2*sdI*sdJ) / (ms * ms)
				want, sampling := 0.0, 0.0
				if kind == schedule.Poisson {
					want, sampling = 1, 4*2/math.Sqrt(float64(n))
				}
				// SCV_server = SCV_plan·(m/ms)² + jitter: bound each part.
				tol := sampling + scvPlan*math.Abs((m/ms)*(m/ms)-1) + jitterTerm + 1e-3
				t.Logf("server SCV %.4f, recorded %.4f, planned %.4f, want %g ± %.4f (sampling %.4f, jitter %.4f)",
					scv, rec.Stages[0].ArrivalSCV, scvPlan, want, tol, sampling, jitterTerm)
				if math.Abs(scv-want) > tol {
					t.Errorf("server-side arrival SCV %.4f, want %g ± %.4f", scv, want, tol)
				}
				// The generator's own record of its send gaps agrees as well.
				if got := rec.Stages[0].ArrivalSCV; math.Abs(got-want) > tol {
					t.Errorf("recorded arrival SCV %.4f, want %g ± %.4f", got, want, tol)
				}
			})
		}
	}
}

func variance(xs []float64) float64 {
	m := sum(xs) / float64(len(xs))
	var v float64
	for _, x := range xs {
		v += (x - m) * (x - m)
	}
	return v / float64(len(xs)-1)
}

func sum(xs []float64) (s float64) {
	for _, x := range xs {
		s += x
	}
	return s
}

func sumSq(xs []float64) (s float64) {
	for _, x := range xs {
		s += x * x
	}
	return s
}

// TestStallShowsInTheTail is the coordinated-omission test: the server
// stalls for 1 s in a 10 s run at uniform 500 rps. The about 500 requests
// planned during the stall are still sent (open loop) and wait until it
// ends, so their latencies from the intended send time run from 1 s down
// to 0. Every bound is derived from the run's own record (OnDone: intended
// send, actual send and end of every request), so a loaded machine widens
// them as it should and nothing is guessed:
//   - the stalled requests S are those that ended after the release and
//     were planned before it; the rest must have shorter latencies than the
//     tail, else the stall is not what made it;
//   - with i_k the k-th earliest intended time in S and E the last end in
//     S (the release plus the time to read the last stalled response), each
//     member's latency lies in [stall end − i_k, E − i_k]; the p99 of 5000
//     (nearest rank 4950) is the 51st longest, so it lies in
//     [stall end − i_51, E − i_51], and the maximum in
//     [stall end − i_1, E − i_1]; the histogram reports a bucket's top
//     (at most 0.1% above, hdrTop);
//   - the stall caught the requests planned from its start: i_1 is at most
//     the first planned time in it, so the p99 is at least 1 s − 50 gaps =
//     0.9 s, the tail the claim is about.
func TestStallShowsInTheTail(t *testing.T) {
	const rate, gap = 500.0, 2 * time.Millisecond
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			var stallFrom, stallTo atomic.Int64 // unix ns
			release := make(chan struct{})
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
				now := time.Now().UnixNano()
				if now >= stallFrom.Load() && now < stallTo.Load() {
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
			var stalled []report // in plan order
			var lastEnd, otherMax time.Duration
			for _, r := range all {
				if r.at < to && r.end >= to {
					stalled = append(stalled, r)
					lastEnd = max(lastEnd, r.end)
				} else {
					otherMax = max(otherMax, r.end-r.at)
				}
			}
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
			p99lo, p99hi := (to - i51).Seconds(), hdrTop(lastEnd-i51)
			maxLo, maxHi := (to - i1).Seconds(), hdrTop(lastEnd-i1)
			t.Logf("%d stalled, first planned %s after the stall began; drain %s; p99 %.4fs in [%.4f, %.4f], max %.4fs in [%.4f, %.4f]; others ≤ %s",
				len(stalled), i1-from, lastEnd-to, tot.Latency.P99, p99lo, p99hi, tot.Latency.Max, maxLo, maxHi, otherMax)
			if i1 > firstPlanned || i51 > firstPlanned+50*gap {
				t.Errorf("the stall did not catch the requests planned from its start: i_1 %s, i_51 %s, first planned %s", i1, i51, firstPlanned)
			}
			if otherMax >= to-i51 {
				t.Errorf("a request that did not wait for the stall took %s, as long as the stalled ones", otherMax)
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
			// Just before the release every request that reached the stalled
			// server was in flight at the generator.
			if tot.InFlightMax < int64(during) {
				t.Errorf("in-flight max %d, below the %d requests held by the stall", tot.InFlightMax, during)
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

// TestFixedDelayReportedAccurately: for a server whose handler takes a
// fixed time (measured by the server itself, since sleeps overshoot), the
// generator's median latency exceeds the server's median handler time only
// by the loopback HTTP round trip: about 0.1–0.2 ms, 0.5 ms under the race
// detector. The claim is "within a fraction of a millisecond", so the
// bound is 1 ms. Medians are robust to the few requests a busy machine delays.
func TestFixedDelayReportedAccurately(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) { time.Sleep(5 * time.Millisecond) })
			rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{
				segs: []schedule.Segment{{Duration: 3 * time.Second, From: 100, To: 100}}, kind: schedule.Uniform, mode: mode})
			checkConservation(t, rec)
			srv.mu.Lock()
			h := result.NewHistogram()
			for _, d := range srv.handled {
				_ = h.RecordValue(int64(d))
			}
			srv.mu.Unlock()
			serverP50 := float64(h.ValueAtPercentile(50)) / 1e9
			clientP50 := rec.Total.ServiceTime.P50
			latencyP50 := rec.Total.Latency.P50
			t.Logf("server handler p50 %.3f ms, client service p50 %.3f ms, latency p50 %.3f ms",
				serverP50*1e3, clientP50*1e3, latencyP50*1e3)
			if d := clientP50 - serverP50; d < 0 || d > 0.001 {
				t.Errorf("client service p50 − server handler p50 = %.3f ms, want within [0, 1 ms]", d*1e3)
			}
			if d := latencyP50 - serverP50; d < 0 || d > 0.001 {
				t.Errorf("client latency p50 − server handler p50 = %.3f ms, want within [0, 1 ms]", d*1e3)
			}
		})
	}
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
			rec, start := runAgainst(t, ctx, srv.URL, rs)
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
			if end < c || end-c > 100*time.Millisecond || tot.EndS != end.Seconds() {
				t.Errorf("end %s (%g s), cancel at %s", end, tot.EndS, c)
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
