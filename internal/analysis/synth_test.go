package analysis

import (
	"math"
	"math/rand/v2"
	"sort"
	"strconv"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// synth is a fake engine for tests: it simulates a c-worker FCFS server
// with system capacity k (0 = unbounded) request by request, with a
// constant client overhead split between the two directions, and records
// the result document the way the engine does (stages by intended send
// time, exact in-flight areas clipped to the plan's end, 1-second windows
// with their histograms, Server-Timing of the 2xx responses).
type synth struct {
	c, k      int
	mean      float64                    // E[S], seconds
	service   func(r *rand.Rand) float64 // nil: exponential with mean
	rates     []float64                  // one stage per rate
	stageDur  float64                    // seconds
	uniform   bool                       // evenly spaced arrivals (else Poisson)
	overhead  float64                    // client round trip, seconds
	lag       float64                    // constant send lag, seconds
	noST      bool                       // the target sends no Server-Timing
	noWindows bool                       // no timeline
	seed      uint64
	// stageMean, when set, is E[S] per stage (a load-dependent service).
	stageMean []float64
	// patience > 0: a request that would wait longer for a worker is
	// answered 503 after waiting it (a queue timeout, FCFS).
	patience float64
	// rate > 0: a token bucket of rate tokens/s and burst tokens in front
	// of the workers; a request without a whole token gets 503 at once.
	rate, burst float64
}

type synthReq struct {
	intended, send, done float64
	ok                   bool
	queue, svc           float64
	stage                int
}

// acc collects one stage or window.
type synthAcc struct {
	start, end                     float64
	sched, sent, n200, n503        int64
	busy, area                     float64
	maxIn                          int64
	lat, lat2xx, svcT, lag, sq, ss *hdr.Histogram
	ssum, ssq                      float64
	gapN                           int64
	gapSum, gapSq, lastSend        float64
}

func newSynthAcc(start, end float64) *synthAcc {
	return &synthAcc{start: start, end: end, lastSend: -1, lat: result.NewHistogram(), lat2xx: result.NewHistogram(),
		svcT: result.NewHistogram(), lag: result.NewHistogram(), sq: result.NewHistogram(), ss: result.NewHistogram()}
}

func ns(s float64) int64 { return result.ClampNS(int64(math.Round(s * 1e9))) }

func (a *synthAcc) add(q *synthReq) {
	a.sched++
	a.sent++
	a.busy += q.done - q.send
	a.lat.RecordValue(ns(q.done - q.intended))
	a.svcT.RecordValue(ns(q.done - q.send))
	a.lag.RecordValue(ns(q.send - q.intended))
	if a.lastSend >= 0 {
		g := q.send - a.lastSend
		a.gapN++
		a.gapSum += g
		a.gapSq += g * g
	}
	a.lastSend = q.send
	if !q.ok {
		a.n503++
		return
	}
	a.n200++
	a.lat2xx.RecordValue(ns(q.done - q.intended))
	a.sq.RecordValue(ns(q.queue))
	a.ss.RecordValue(ns(q.svc))
	a.ssum += q.svc
	a.ssq += q.svc * q.svc
}

func enc(t testing.TB, h *hdr.Histogram) string {
	s, err := result.EncodeHist(h)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s synth) simulate() []synthReq {
	r := rand.New(rand.NewPCG(s.seed, 7))
	cur := 0 // the stage being generated, for stageMean
	svc := s.service
	if svc == nil {
		svc = func(r *rand.Rand) float64 {
			if s.stageMean != nil {
				return r.ExpFloat64() * s.stageMean[cur]
			}
			return r.ExpFloat64() * s.mean
		}
	}
	free := make([]float64, s.c)
	var deps []float64 // server departure times of those in the system, unsorted
	var out []synthReq
	tokens, tokenAt := s.burst, 0.0
	for i, lam := range s.rates {
		cur = i
		start, end := float64(i)*s.stageDur, float64(i+1)*s.stageDur
		t := start
		if s.uniform {
			t += 0.5 / lam
		} else {
			t += r.ExpFloat64() / lam
		}
		for t < end {
			q := synthReq{intended: t, send: t + s.lag, stage: i}
			a := q.send + s.overhead/2
			kept := deps[:0]
			for _, d := range deps {
				if d > a {
					kept = append(kept, d)
				}
			}
			deps = kept
			limited := false
			if s.rate > 0 {
				tokens = math.Min(s.burst, tokens+s.rate*(a-tokenAt))
				tokenAt = a
				if limited = tokens < 1; !limited {
					tokens--
				}
			}
			w := 0
			for j := range free {
				if free[j] < free[w] {
					w = j
				}
			}
			switch {
			case limited || (s.k > 0 && len(deps) >= s.k):
				q.done = a + s.overhead/2
			case s.patience > 0 && free[w]-a > s.patience:
				q.done = a + s.patience + s.overhead/2
			default:
				st := math.Max(a, free[w])
				q.svc = svc(r)
				e := st + q.svc
				free[w] = e
				deps = append(deps, e)
				q.ok, q.queue, q.done = true, st-a, e+s.overhead/2
			}
			out = append(out, q)
			if s.uniform {
				t += 1 / lam
			} else {
				t += r.ExpFloat64() / lam
			}
		}
	}
	return out
}

// result runs the simulation and records it as the engine would.
func (s synth) result(t testing.TB) *result.Result {
	t.Helper()
	reqs := s.simulate()
	n := len(s.rates)
	limit := float64(n) * s.stageDur
	stages := make([]*synthAcc, n)
	for i := range stages {
		stages[i] = newSynthAcc(float64(i)*s.stageDur, float64(i+1)*s.stageDur)
	}
	nw := int(math.Ceil(limit - 1e-9))
	wins := make([]*synthAcc, nw)
	for i := range wins {
		wins[i] = newSynthAcc(float64(i), math.Min(float64(i+1), limit))
	}
	type ev struct {
		t float64
		d int64
	}
	var evs []ev
	all := append(append([]*synthAcc{}, stages...), wins...)
	clip := func(a *synthAcc, q *synthReq) {
		lo, hi := math.Max(q.send, a.start), math.Min(math.Min(q.done, a.end), limit)
		if hi > lo {
			a.area += hi - lo
		}
	}
	for i := range reqs {
		q := &reqs[i]
		stages[q.stage].add(q)
		wins[min(int(q.intended), nw-1)].add(q)
		for j := q.stage; j < n && stages[j].start < q.done; j++ {
			clip(stages[j], q)
		}
		for j := min(int(q.send), nw-1); j < nw && wins[j].start < q.done; j++ {
			clip(wins[j], q)
		}
		evs = append(evs, ev{q.send, 1}, ev{q.done, -1})
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].t < evs[j].t })
	var cur int64
	for _, e := range evs {
		cur += e.d
		if e.t >= limit {
			break
		}
		for _, a := range all {
			if e.t >= a.start && e.t < a.end {
				a.maxIn = max(a.maxIn, cur)
			}
		}
	}
	res := &result.Result{Schema: result.Schema, Arrival: "poisson", Seed: int64(s.seed), DurationS: limit, ElapsedS: limit,
		HDR: result.DefaultHDRConfig(), TimeoutS: 10, MaxInFlight: 10000}
	if s.uniform {
		res.Arrival = "uniform"
	}
	for i, a := range stages {
		st := result.Stage{Index: i + 1, Name: "stage " + strconv.Itoa(i+1), StartS: a.start, EndS: a.end,
			OfferedRPS: s.rates[i], Scheduled: a.sched, Sent: a.sent, Completed: a.sent,
			AchievedRPS: float64(a.sent) / (a.end - a.start), ThroughputRPS: float64(a.n200) / (a.end - a.start),
			Status: map[string]int64{}, Errors: map[string]int64{"timeout": 0, "connect": 0, "reset": 0, "other": 0, "canceled": 0},
			Latency: result.Summarize(a.lat), Latency2xx: result.Summarize(a.lat2xx), ServiceTime: result.Summarize(a.svcT), SendLag: result.Summarize(a.lag),
			InFlightMean: a.area / (a.end - a.start), InFlightMax: a.maxIn, BusyS: a.busy,
			Gaps: a.gapN, GapSum: a.gapSum, GapSumSq: a.gapSq, ArrivalSCV: result.SCV(a.gapN, a.gapSum, a.gapSq),
			HDR: result.StageHDR{Latency: enc(t, a.lat), Latency2xx: enc(t, a.lat2xx), ServiceTime: enc(t, a.svcT), SendLag: enc(t, a.lag)},
		}
		if a.n200 > 0 {
			st.Status["200"] = a.n200
		}
		if a.n503 > 0 {
			st.Status["503"] = a.n503
		}
		if !s.noST && a.n200 > 0 {
			st.ServerTiming = &result.ServerTiming{Queue: result.Summarize(a.sq), Service: result.Summarize(a.ss),
				ServiceSum: a.ssum, ServiceSumSq: a.ssq, ServiceSCV: result.SCV(a.n200, a.ssum, a.ssq)}
			st.HDR.ServerQueue, st.HDR.ServerService = enc(t, a.sq), enc(t, a.ss)
		}
		res.Stages = append(res.Stages, st)
	}
	if !s.noWindows {
		for _, a := range wins {
			w := result.Window{TS: a.start, DurationS: a.end - a.start, Scheduled: a.sched, Sent: a.sent, Completed: a.sent,
				Status: map[string]int64{"200": a.n200, "503": a.n503}, InFlightMean: a.area / (a.end - a.start), InFlightMax: a.maxIn,
				HDR: result.WindowHDR{Latency: enc(t, a.lat), Latency2xx: enc(t, a.lat2xx), ServiceTime: enc(t, a.svcT)}}
			res.Timeline = append(res.Timeline, w)
		}
	}
	return res
}
