package openloop

import (
	"context"
	"math"
	"net/http"
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
// SCV (for n exponential gaps its standard error is √(8/n), since
// μ4/σ⁴ − 1 = 8 for Exp(1); 4 standard errors) plus the measured jitter
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
					want, sampling = 1, 4*math.Sqrt(8/float64(n))
				}
				// SCV_server = SCV_plan·(m/ms)² + jitter: bound each part.
				tol := sampling + scvPlan*math.Abs((m/ms)*(m/ms)-1) + jitterTerm + 1e-3
				t.Logf("server SCV %.4f, planned SCV %.4f, want %g ± %.4f (sampling %.4f, jitter %.4f)",
					scv, SCV(n, sum(planned), sumSq(planned)), want, tol, sampling, jitterTerm)
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
// stalls for 1 s in a 10 s run at uniform 500 rps. The 500 requests planned
// during the stall are still sent (open loop) and wait until it ends, so
// their latencies from the intended send time run from 1 s down to 0.
// 1% of 5000 is 50: the p99 is the 50th-longest latency, that of the request
// planned 50 × 2 ms = 100 ms into the stall, so 0.9 s plus what it took to
// answer it after the release. The upper tolerance is measured, not
// guessed: the drain time, from the release to the moment the generator had
// read the last stalled response (500 responses arrive at once; reading
// them takes a few ms, tens under the race detector), measured by wrapping
// the doer, plus 0.1% HDR rounding and 2 ms. The lower one is 10 ms of
// scheduling jitter at the stall's start.
func TestStallShowsInTheTail(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			var stallFrom, stallTo atomic.Int64 // unix ns
			var lastStalledEnd atomic.Int64
			release := make(chan struct{})
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
				now := time.Now().UnixNano()
				if now >= stallFrom.Load() && now < stallTo.Load() {
					<-release
					for {
						end, prev := time.Now().UnixNano(), lastStalledEnd.Load()
						if end <= prev || lastStalledEnd.CompareAndSwap(prev, end) {
							break
						}
					}
				}
			})
			t0 := time.Now()
			stallFrom.Store(t0.Add(4 * time.Second).UnixNano())
			stallTo.Store(t0.Add(5 * time.Second).UnixNano())
			go func() {
				time.Sleep(time.Until(t0.Add(5 * time.Second)))
				close(release)
			}()
			// The generator's own view of each request (offsets from its start).
			var mu sync.Mutex
			var sends, ends []time.Duration
			onDone := func(a schedule.Arrival, sent, end time.Duration, r *Response) {
				mu.Lock()
				sends, ends = append(sends, sent), append(ends, end)
				mu.Unlock()
			}
			rec, start := runAgainst(t, context.Background(), srv.URL, runSpec{
				segs: []schedule.Segment{{Duration: 10 * time.Second, From: 500, To: 500}}, kind: schedule.Uniform, onDone: onDone, mode: mode})
			var lastClientEnd time.Time // when the generator had the last stalled response
			for i, s := range sends {
				if t0 := start.Add(s); t0.UnixNano() >= stallFrom.Load() && t0.UnixNano() < stallTo.Load() {
					if end := start.Add(ends[i]); end.After(lastClientEnd) {
						lastClientEnd = end
					}
				}
			}
			checkConservation(t, rec)
			tot := rec.Total
			if tot.Scheduled != 5000 || tot.NotSent != 0 || tot.Status["200"] != 5000 {
				t.Fatalf("scheduled %d, not sent %d, status %v", tot.Scheduled, tot.NotSent, tot.Status)
			}
			drain := time.Duration(lastClientEnd.UnixNano() - stallTo.Load()).Seconds()
			serverDrain := time.Duration(lastStalledEnd.Load() - stallTo.Load()).Seconds()
			hi := (0.9+drain)*1.001 + 0.002
			t.Logf("p99 %.4fs, max %.4fs; drain %.4fs (server side %.4fs) → p99 must be in [0.89, %.4f]", tot.Latency.P99, tot.Latency.Max, drain, serverDrain, hi)
			if p99 := tot.Latency.P99; p99 < 0.89 || p99 > hi {
				t.Errorf("p99 = %.4fs, want in [0.89, %.4f]", p99, hi)
			}
			if mx := tot.Latency.Max; mx < 0.99 || mx > hi+0.1 {
				t.Errorf("max = %.4fs, want ≈ 1 s", mx)
			}
			// About 500 requests reached the server during the stalled second:
			// those planned in it, give or take the ones the measured delays carried
			// across its edges (at 2 ms spacing, one per 2 ms of median delay).
			var during int
			lo, hiT := time.Unix(0, stallFrom.Load()), time.Unix(0, stallTo.Load())
			for _, a := range srv.times() {
				if !a.Before(lo) && a.Before(hiT) {
					during++
				}
			}
			if during < 480 || during > 520 {
				t.Errorf("%d requests arrived during the stall, want about 500", during)
			}
			if tot.InFlightMax < 450 {
				t.Errorf("in-flight max %d, want about 500", tot.InFlightMax)
			}
		})
	}
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
// 5 in flight and a 300 ms timeout. Every scheduled request is accounted
// for: 5 at a time time out, the rest are not sent, and a warning says so.
func TestHungServerSmallMaxInFlight(t *testing.T) {
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
			rec, _ := runAgainst(t, context.Background(), srv.URL, runSpec{
				segs: []schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 100}}, kind: schedule.Uniform,
				maxInFlight: 5, timeout: 300 * time.Millisecond, mode: mode})
			checkConservation(t, rec)
			tot := rec.Total
			if tot.Scheduled != 200 || tot.Responses() != 0 {
				t.Fatalf("scheduled %d, responses %d", tot.Scheduled, tot.Responses())
			}
			// 5 slots, each freed every ~300 ms over 2 s: about 5·(2/0.3+1) ≈ 38 sent.
			if tot.Errors[result.ErrTimeout] != tot.Sent || tot.Sent < 20 || tot.Sent > 60 {
				t.Errorf("sent %d, timeouts %d", tot.Sent, tot.Errors[result.ErrTimeout])
			}
			if tot.InFlightMax != 5 {
				t.Errorf("in-flight max %d, want 5", tot.InFlightMax)
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
func TestInterruptedRun(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			srv := newArrivalServer(t, func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(2 * time.Second):
				case <-r.Context().Done():
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
			defer cancel()
			t0 := time.Now()
			rec, _ := runAgainst(t, ctx, srv.URL, runSpec{
				segs: []schedule.Segment{{Duration: 10 * time.Second, From: 50, To: 50}}, kind: schedule.Uniform,
				grace: 200 * time.Millisecond, mode: mode})
			if took := time.Since(t0); took > 3*time.Second {
				t.Errorf("interrupted run took %s", took)
			}
			checkConservation(t, rec)
			tot := rec.Total
			if !rec.Interrupted {
				t.Error("not marked interrupted")
			}
			// 700 ms at 50/s: 35 arrivals (±1 for timing at the cut).
			if tot.Scheduled < 33 || tot.Scheduled > 37 {
				t.Errorf("scheduled %d, want about 35", tot.Scheduled)
			}
			if tot.Errors[result.ErrCanceled] != tot.Sent {
				t.Errorf("canceled %d of %d sent", tot.Errors[result.ErrCanceled], tot.Sent)
			}
			if rec.End > 800*time.Millisecond || rec.Total.EndS > 0.8 {
				t.Errorf("end %s / %g", rec.End, rec.Total.EndS)
			}
		})
	}
}
