package mergetest

import (
	"math"
	"strconv"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// aggregate builds shard k (0-based) of n from its requests.
func aggregate(s Spec, k, n int, reqs []Request) (*result.Result, error) {
	dur := DurationS(s)
	r := &result.Result{
		Schema:      result.Schema,
		Tool:        result.Tool{Name: "bploadgen", Version: "test"},
		Target:      result.Target{URL: s.URL, Method: "GET"},
		Arrival:     s.Arrival,
		Seed:        int64(s.Seed),
		StartedAt:   s.Start.Add(time.Duration(k) * s.Skew),
		DurationS:   dur,
		ElapsedS:    dur + 0.25,
		Plan:        Plan(s),
		MaxInFlight: 1000,
		TimeoutS:    1,
		HDR:         result.DefaultHDRConfig(),
		Assertions:  []result.Assertion{},
	}
	if s.Shards > 0 {
		r.Shard = &result.Shard{Index: k + 1, Count: n}
	}
	share := 1 / float64(n)
	byStage := make([][]Request, len(s.Stages))
	for _, q := range reqs {
		i := StageOf(s, q.IntendedS)
		byStage[i] = append(byStage[i], q)
	}
	r.Stages = make([]result.Stage, len(s.Stages))
	for i, ps := range s.Stages {
		st, err := stage(i+1, ps.Name, ps.StartS, ps.StartS+ps.DurationS, ps.Rate*share, byStage[i])
		if err != nil {
			return nil, err
		}
		r.Stages[i] = st
	}
	total, err := stage(0, "total", 0, dur, offered(s, 0, dur)/dur*share, reqs)
	if err != nil {
		return nil, err
	}
	r.Total = total
	if r.Timeline, err = windows(s, share, reqs); err != nil {
		return nil, err
	}
	if s.Retry != nil {
		r.RetryPolicy = retryPolicy(s)
		for i := range r.Stages {
			if err := attempts(&r.Stages[i], byStage[i]); err != nil {
				return nil, err
			}
		}
		if err := attempts(&r.Total, reqs); err != nil {
			return nil, err
		}
		windowAttempts(r.Timeline, reqs)
	}
	return r, nil
}

// hists are a stage's histograms in StageHDR order.
type hists struct {
	lat, lat2xx, svc, lag, srvQueue, srvSvc *hdr.Histogram
}

func newHists() hists {
	return hists{result.NewHistogram(), result.NewHistogram(), result.NewHistogram(),
		result.NewHistogram(), result.NewHistogram(), result.NewHistogram()}
}

// stage aggregates the requests of one stage [a, b).
func stage(index int, name string, a, b, offeredRPS float64, reqs []Request) (result.Stage, error) {
	st := result.Stage{Index: index, Name: name, StartS: a, EndS: b, OfferedRPS: offeredRPS,
		Status: map[string]int64{}, Errors: zeroErrors()}
	h := newHists()
	prevSend := math.NaN()
	var srvSum, srvSumSq float64
	for _, q := range reqs {
		st.Scheduled++
		if q.NotSent {
			st.NotSent++
			continue
		}
		st.Sent++
		st.Completed++
		send := q.IntendedS + secondsNS(q.LagNS)
		if !math.IsNaN(prevSend) {
			gap := send - prevSend
			st.Gaps++
			st.GapSum += gap
			st.GapSumSq += gap * gap
		}
		prevSend = send
		st.BusyS += secondsNS(q.ServiceNS)
		if err := record(h.lag, q.LagNS); err != nil {
			return st, err
		}
		if q.Err != "" {
			st.Errors[q.Err]++
			continue
		}
		st.Status[strconv.Itoa(q.Status)]++
		srv := q.ServiceNS * 8 / 10
		srvSum += secondsNS(srv)
		srvSumSq += secondsNS(srv) * secondsNS(srv)
		for _, v := range []struct {
			h  *hdr.Histogram
			ns int64
			ok bool
		}{
			{h.lat, q.LatencyNS(), true},
			{h.lat2xx, q.LatencyNS(), q.Status/100 == 2},
			{h.svc, q.ServiceNS, true},
			{h.srvQueue, q.ServiceNS / 10, true},
			{h.srvSvc, srv, true},
		} {
			if !v.ok {
				continue
			}
			if err := record(v.h, v.ns); err != nil {
				return st, err
			}
		}
	}
	if length := b - a; length > 0 {
		st.AchievedRPS = float64(st.Sent) / length
		n2xx, _ := result.Count(st.Status, nil, 0, "2xx")
		st.ThroughputRPS = float64(n2xx) / length
		st.InFlightMean = st.BusyS / length
		st.InFlightMax = ceilDiv(2*st.InFlightMean) + 1
	}
	st.ArrivalSCV = result.SCV(st.Gaps, st.GapSum, st.GapSumSq)
	if err := byRequest(&st, reqs); err != nil {
		return st, err
	}
	st.Latency, st.Latency2xx = result.Summarize(h.lat), result.Summarize(h.lat2xx)
	st.ServiceTime, st.SendLag = result.Summarize(h.svc), result.Summarize(h.lag)
	if h.srvSvc.TotalCount() > 0 {
		st.ServerTiming = &result.ServerTiming{
			Queue: result.Summarize(h.srvQueue), Service: result.Summarize(h.srvSvc),
			ServiceSum: srvSum, ServiceSumSq: srvSumSq,
			ServiceSCV: result.SCV(h.srvSvc.TotalCount(), srvSum, srvSumSq),
		}
	}
	var err error
	for _, e := range []struct {
		dst *string
		h   *hdr.Histogram
	}{
		{&st.HDR.Latency, h.lat}, {&st.HDR.Latency2xx, h.lat2xx}, {&st.HDR.ServiceTime, h.svc},
		{&st.HDR.SendLag, h.lag}, {&st.HDR.ServerQueue, h.srvQueue}, {&st.HDR.ServerService, h.srvSvc},
	} {
		if *e.dst, err = result.EncodeHist(e.h); err != nil {
			return st, err
		}
	}
	return st, nil
}

// windows aggregates the 1-second timeline windows by intended send time.
func windows(s Spec, share float64, reqs []Request) ([]result.Window, error) {
	dur := DurationS(s)
	out := make([]result.Window, int(math.Ceil(dur)))
	byWindow := make([][]Request, len(out))
	for _, q := range reqs {
		k := min(int(q.IntendedS), len(out)-1)
		byWindow[k] = append(byWindow[k], q)
	}
	lat, lat2xx, svc := result.NewHistogram(), result.NewHistogram(), result.NewHistogram()
	for k := range out {
		lat.Reset()
		lat2xx.Reset()
		svc.Reset()
		w := result.Window{TS: float64(k), DurationS: min(1, dur-float64(k)),
			Status: map[string]int64{}, Errors: zeroErrors(),
			Scrape: map[string]float64{"queue_depth": float64(k % 7)}}
		w.OfferedRPS = offered(s, w.TS, w.TS+w.DurationS) / w.DurationS * share
		var busy float64
		for _, q := range byWindow[k] {
			w.Scheduled++
			if q.NotSent {
				w.NotSent++
				continue
			}
			w.Sent++
			w.Completed++
			busy += secondsNS(q.ServiceNS)
			if q.Err != "" {
				w.Errors[q.Err]++
				continue
			}
			w.Status[strconv.Itoa(q.Status)]++
			if err := record(lat, q.LatencyNS()); err != nil {
				return nil, err
			}
			if err := record(svc, q.ServiceNS); err != nil {
				return nil, err
			}
			if q.Status/100 == 2 {
				if err := record(lat2xx, q.LatencyNS()); err != nil {
					return nil, err
				}
			}
		}
		n2xx, _ := result.Count(w.Status, nil, 0, "2xx")
		w.AchievedRPS = float64(w.Sent) / w.DurationS
		w.ThroughputRPS = float64(n2xx) / w.DurationS
		w.InFlightMean = busy / w.DurationS
		w.InFlightMax = ceilDiv(2*w.InFlightMean) + 1
		sum := result.Summarize(lat)
		w.P50S, w.P90S, w.P99S, w.MaxS, w.MeanS = sum.P50, sum.P90, sum.P99, sum.Max, sum.Mean
		var err error
		if w.HDR.Latency, err = result.EncodeHist(lat); err != nil {
			return nil, err
		}
		if w.HDR.Latency2xx, err = result.EncodeHist(lat2xx); err != nil {
			return nil, err
		}
		if w.HDR.ServiceTime, err = result.EncodeHist(svc); err != nil {
			return nil, err
		}
		out[k] = w
	}
	return out, nil
}

func record(h *hdr.Histogram, ns int64) error { return h.RecordValue(result.ClampNS(ns)) }

func zeroErrors() map[string]int64 {
	m := map[string]int64{}
	for _, c := range result.ErrorClasses {
		m[c] = 0
	}
	return m
}
