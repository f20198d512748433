package report

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// stepFixture builds the fixture's result from the simulated requests
// (fixture_sim_test.go).
func stepFixture() *result.Result {
	rng := rand.New(rand.NewPCG(fxSeed, 7))
	reqs := simulate(rng)
	client := eventsOf(reqs, false)
	server := eventsOf(reqs, true)
	started := time.Date(2026, 1, 15, 10, 0, 0, 250_000_000, time.UTC)
	end := float64(len(fxRates)) * fxStageLen
	r := &result.Result{
		Schema: result.Schema,
		Tool:   result.Tool{Name: "bploadgen", Version: "v0.1.0-fixture", Go: "go1.26.8"},
		Target: result.Target{
			URL:     `http://127.0.0.1:8080/api/items?q="><script>window.__pwned=1</script>&token=s3cr3t-token&page=2`,
			Method:  "GET",
			Headers: map[string]string{"Accept": "application/json", "X-Api-Key": "s3cr3t-key", "X-Trace": `"><script>window.__pwned=1</script>`},
		},
		Arrival: "poisson", Seed: fxSeed, StartedAt: started,
		DurationS: end, ElapsedS: 0, MaxInFlight: 1000, TimeoutS: fxTimeout,
		HDR:  result.DefaultHDRConfig(),
		Plan: result.Plan{Profile: "step"},
	}
	for i, rate := range fxRates {
		r.Plan.Stages = append(r.Plan.Stages, result.PlanStage{Name: fmt.Sprintf("step %d @ %g rps", i+1, rate),
			StartS: float64(i) * fxStageLen, DurationS: fxStageLen, Rate: rate, To: rate})
	}
	for i := range reqs {
		r.ElapsedS = math.Max(r.ElapsedS, reqs[i].done)
	}
	r.ElapsedS = math.Round(r.ElapsedS*1000) / 1000

	// Stages and the total.
	total := newFxHists()
	r.Total = result.Stage{Index: 0, Name: "total", StartS: 0, EndS: end, Status: map[string]int64{}, Errors: emptyErrors()}
	var served, rejected float64
	for si, rate := range fxRates {
		st := result.Stage{Index: si + 1, Name: r.Plan.Stages[si].Name, StartS: float64(si) * fxStageLen,
			EndS: float64(si+1) * fxStageLen, OfferedRPS: rate, Status: map[string]int64{}, Errors: emptyErrors()}
		h := newFxHists()
		var prevSent float64 = -1
		for i := range reqs {
			q := &reqs[i]
			if q.intended < st.StartS || q.intended >= st.EndS {
				continue
			}
			st.Scheduled++
			count(st.Status, st.Errors, q, &st.Sent, &st.NotSent, &st.Completed)
			h.add(q)
			total.add(q)
			if !q.notSent {
				st.BusyS += q.done - q.sent
				if prevSent >= 0 {
					g := q.sent - prevSent
					st.Gaps++
					st.GapSum += g
					st.GapSumSq += g * g
				}
				prevSent = q.sent
			}
		}
		fillStage(&st, h)
		area, max := inFlightArea(client, st.StartS, st.EndS)
		st.InFlightMean, st.InFlightMax = area/fxStageLen, max
		r.Stages = append(r.Stages, st)
		addStage(&r.Total, &st)
	}
	fillStage(&r.Total, total)
	area, max := inFlightArea(client, 0, end)
	r.Total.InFlightMean, r.Total.InFlightMax = area/end, max

	// Windows.
	for w := 0; w < int(end); w++ {
		t0, t1 := float64(w), float64(w+1)
		win := result.Window{TS: t0, DurationS: 1, OfferedRPS: fxRates[w/int(fxStageLen)], Status: map[string]int64{}, Errors: emptyErrors()}
		h := newFxHists()
		servedBefore := served
		for i := range reqs {
			q := &reqs[i]
			if q.intended < t0 || q.intended >= t1 {
				continue
			}
			win.Scheduled++
			count(win.Status, win.Errors, q, &win.Sent, &win.NotSent, &win.Completed)
			h.add(q)
			if q.status == 200 {
				served++
			}
			if q.status == 503 {
				rejected++
			}
		}
		win.AchievedRPS = float64(win.Sent)
		win.ThroughputRPS = float64(win.Status["200"])
		s := result.Summarize(h.lat)
		win.P50S, win.P90S, win.P99S, win.MaxS, win.MeanS = s.P50, s.P90, s.P99, s.Max, s.Mean
		area, max := inFlightArea(client, t0, t1)
		win.InFlightMean, win.InFlightMax = area, max
		win.HDR = result.WindowHDR{Latency: enc(h.lat), Latency2xx: enc(h.lat2xx), ServiceTime: enc(h.svc)}
		n := levelAt(server, t1)
		busy := math.Min(float64(n), fxWorkers)
		win.Scrape = map[string]float64{
			"bploadgen_target_workers":                                                  fxWorkers,
			"bploadgen_target_queue_capacity":                                           fxQueue,
			"bploadgen_target_service_mean_seconds":                                     fxService,
			"bploadgen_target_in_flight":                                                float64(n),
			"bploadgen_target_busy_workers":                                             busy,
			"bploadgen_target_queue_depth":                                              float64(n) - busy,
			"bploadgen_target_served_total":                                             served,
			"rate(bploadgen_target_served_total)":                                       served - servedBefore,
			`bploadgen_target_service_seconds_bucket{le="0.01"}`:                        served * 0.63,
			"bploadgen_target_rejected_total":                                           rejected,
			"go_goroutines":                                                             12 + float64(n),
			`http_requests_in_flight{path="</title><script>window.__pwned=7</script>"}`: float64(n),
		}
		r.Timeline = append(r.Timeline, win)
	}

	r.Analysis = fixtureAnalysis(r, rng)
	r.Assertions = fixtureAssertions(r)
	r.Samples = &result.Samples{
		Responses: map[string]result.ResponseSample{
			"503": {Headers: map[string]string{"Retry-After": "1", "Content-Type": "text/html", "X-Debug": hostileHTML,
				`"><svg onload="window.__pwned=3">`: "header name from the target"},
				Body: "<html><body>" + hostileHTML + "queue full | try later</body></html>"},
			"500": {Headers: map[string]string{"Content-Type": "text/plain"},
				Body: "</pre></div>" + hostileHTML + `{{template "x"}} internal error ` + "`rm -rf` | **bold** [link](javascript:alert(1))"},
		},
		Errors: map[string]string{
			result.ErrTimeout: `Get "http://127.0.0.1:8080/api/items?q=\"><script>window.__pwned=5</script>": context deadline exceeded`,
			result.ErrReset:   "read tcp 127.0.0.1:53211->127.0.0.1:8080: connection reset by peer <svg onload=window.__pwned=6>",
		},
	}
	r.Warnings = []string{"fixture: this result was simulated by the report package's tests, not measured"}
	return r
}

func fillStage(st *result.Stage, h fxHists) {
	st.Latency = result.Summarize(h.lat)
	st.Latency2xx = result.Summarize(h.lat2xx)
	st.ServiceTime = result.Summarize(h.svc)
	st.SendLag = result.Summarize(h.lag)
	st.HDR = result.StageHDR{Latency: enc(h.lat), Latency2xx: enc(h.lat2xx), ServiceTime: enc(h.svc), SendLag: enc(h.lag)}
	if l := st.LengthS(); l > 0 {
		st.AchievedRPS = float64(st.Sent) / l
		n2xx, _ := result.Count(st.Status, nil, 0, "2xx")
		st.ThroughputRPS = float64(n2xx) / l
	}
	if st.Gaps > 0 {
		m := st.GapSum / float64(st.Gaps)
		v := st.GapSumSq/float64(st.Gaps) - m*m
		st.ArrivalSCV = v / (m * m)
	}
}

func addStage(t, s *result.Stage) {
	t.OfferedRPS += s.OfferedRPS * s.LengthS() / 60
	t.Scheduled += s.Scheduled
	t.Sent += s.Sent
	t.NotSent += s.NotSent
	t.Completed += s.Completed
	t.BusyS += s.BusyS
	t.Gaps += s.Gaps
	t.GapSum += s.GapSum
	t.GapSumSq += s.GapSumSq
	for k, v := range s.Status {
		t.Status[k] += v
	}
	for k, v := range s.Errors {
		t.Errors[k] += v
	}
}

// mmcK returns the stationary distribution of M/M/c/K at arrival rate lam.
func mmcK(lam float64) []float64 {
	mu := 1 / fxService
	K := fxWorkers + fxQueue
	p := make([]float64, K+1)
	p[0] = 1
	for n := 1; n <= K; n++ {
		p[n] = p[n-1] * lam / (mu * math.Min(float64(n), fxWorkers))
	}
	var sum float64
	for _, v := range p {
		sum += v
	}
	for n := range p {
		p[n] /= sum
	}
	return p
}

func fixtureAnalysis(r *result.Result, rng *rand.Rand) *result.Analysis {
	an := &result.Analysis{
		Model:       result.Model{Name: "M/M/c/K", Workers: fxWorkers, Queue: fxQueue, ServiceMeanS: fxService, ServiceSCV: 1, Source: "given"},
		CapacityRPS: fxWorkers / fxService,
	}
	mu := 1 / fxService
	for _, s := range r.Stages {
		p := mmcK(s.OfferedRPS)
		K := len(p) - 1
		var L float64
		for n, v := range p {
			L += float64(n) * v
		}
		block := p[K]
		lamEff := s.OfferedRPS * (1 - block)
		// p99 of the response time: an accepted arrival that finds n in the
		// system waits Erlang(n-c+1, cμ) when n >= c, then is served.
		samples := make([]float64, 20000)
		for i := range samples {
			u := rng.Float64() * (1 - block)
			n := 0
			for acc := p[0]; acc < u && n < K-1; acc += p[n] {
				n++
			}
			t := rng.ExpFloat64() / mu
			for k := 0; n >= fxWorkers && k < n-fxWorkers+1; k++ {
				t += rng.ExpFloat64() / (fxWorkers * mu)
			}
			samples[i] = t
		}
		slices.Sort(samples)
		obsBlock, _ := s.Ratio("503")
		little := result.Little{InFlightMean: s.InFlightMean, RateXResponseMean: s.BusyS / s.LengthS()}
		little.Ratio = little.InFlightMean / little.RateXResponseMean
		an.Stages = append(an.Stages, result.StageAnalysis{
			Index: s.Index, OfferedRPS: s.OfferedRPS, ThroughputRPS: s.ThroughputRPS,
			Little: little, Utilization: s.OfferedRPS / (fxWorkers * mu),
			Predicted: result.Metrics{BlockRatio: block, ResponseMeanS: L / lamEff, ResponseP99S: samples[len(samples)*99/100]},
			Observed:  result.Metrics{BlockRatio: obsBlock, ResponseMeanS: s.Latency2xx.Mean, ResponseP99S: s.Latency2xx.P99},
		})
		if an.Knee == nil && (obsBlock > 0.01 || s.ThroughputRPS < 0.95*s.OfferedRPS) {
			an.Knee = &result.Knee{Stage: s.Index, OfferedRPS: s.OfferedRPS,
				Reason: fmt.Sprintf("throughput %.0f rps fell below 95%% of the offered %.0f rps and %.1f%% were answered 503",
					s.ThroughputRPS, s.OfferedRPS, obsBlock*100)}
		}
	}
	return an
}

func fixtureAssertions(r *result.Result) []result.Assertion {
	as := []result.Assertion{
		{Expr: "p99<250ms", Scope: "run", Metric: "p99", Op: "<", Value: 0.25, Observed: r.Total.Latency.P99},
		{Expr: "p99<25ms in stage 1", Scope: "stage 1", Metric: "p99", Op: "<", Value: 0.025, Observed: r.Stages[0].Latency.P99},
		{Expr: "rps>700", Scope: "run", Metric: "rps", Op: ">", Value: 700, Observed: r.Total.ThroughputRPS},
	}
	for _, s := range r.Stages {
		v, _ := s.Ratio("503")
		as = append(as, result.Assertion{Expr: "ratio(503)<1% in each stage", Scope: "stage " + strconv.Itoa(s.Index),
			Metric: "ratio(503)", Op: "<", Value: 0.01, Observed: v})
	}
	v, _ := r.Total.Ratio("errors")
	as = append(as, result.Assertion{Expr: "ratio(errors)<0.1%", Scope: "run", Metric: "ratio(errors)", Op: "<", Value: 0.001, Observed: v})
	for i := range as {
		a := &as[i]
		switch a.Op {
		case "<":
			a.Pass = a.Observed < a.Value
		case ">":
			a.Pass = a.Observed > a.Value
		}
	}
	return as
}
