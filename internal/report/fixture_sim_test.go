package report

import (
	"container/heap"
	"math"
	"math/rand/v2"
	"sort"
	"strconv"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// The fixture: a 6-stage step profile, 200 → 1200 rps in 10 s steps, with
// Poisson arrivals, against an M/M/c/K server (c = 8 workers, 8 waiting
// slots so K = 16, exponential service with a 10 ms mean). Every request is
// simulated (seeded), so the histograms, in-flight averages and Little's
// law hold as they would in a real run. A few errors, other statuses, not
// sent requests and hostile samples are added to exercise every part of a
// report.

const (
	fxWorkers   = 8
	fxQueue     = 8
	fxService   = 0.010
	fxStageLen  = 10.0
	fxTimeout   = 2.0
	fxSeed      = 42
	hostileHTML = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`
)

var fxRates = []float64{200, 400, 600, 800, 1000, 1200}

// fxRequest is one simulated request.
type fxRequest struct {
	intended, sent, done float64 // seconds since start
	srvArrive, srvDepart float64 // inside the server (accepted requests)
	status               int     // 0 for a transport error or not sent
	errClass             string
	notSent              bool
	service              float64 // the server's service time (accepted)
}

type floatHeap []float64

func (h floatHeap) Len() int           { return len(h) }
func (h floatHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h floatHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *floatHeap) Push(x any)        { *h = append(*h, x.(float64)) }
func (h *floatHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// simulate runs the M/M/c/K server against the Poisson schedule.
func simulate(rng *rand.Rand) []fxRequest {
	var reqs []fxRequest
	for si, rate := range fxRates {
		start := float64(si) * fxStageLen
		for t := start + rng.ExpFloat64()/rate; t < start+fxStageLen; t += rng.ExpFloat64() / rate {
			reqs = append(reqs, fxRequest{intended: t})
		}
	}
	var free [fxWorkers]float64
	inSystem := &floatHeap{}
	for i := range reqs {
		q := &reqs[i]
		q.sent = q.intended + 20e-6 + rng.ExpFloat64()*30e-6 // send lag
		oneWay := 100e-6 + rng.ExpFloat64()*40e-6
		q.srvArrive = q.sent + oneWay
		for inSystem.Len() > 0 && (*inSystem)[0] <= q.srvArrive {
			heap.Pop(inSystem)
		}
		if inSystem.Len() >= fxWorkers+fxQueue {
			q.status = 503
			q.done = q.srvArrive + 30e-6 + oneWay
			continue
		}
		k := 0
		for j := range free {
			if free[j] < free[k] {
				k = j
			}
		}
		begin := math.Max(q.srvArrive, free[k])
		q.service = rng.ExpFloat64() * fxService
		q.srvDepart = begin + q.service
		free[k] = q.srvDepart
		heap.Push(inSystem, q.srvDepart)
		q.status = 200
		q.done = q.srvDepart + oneWay
	}
	// What goes wrong in real runs, at fixed places.
	for i := range reqs {
		q := &reqs[i]
		switch {
		case q.intended >= 55.2 && q.intended < 55.22: // the generator hit --max-in-flight
			q.notSent, q.status, q.sent, q.done = true, 0, 0, 0
		case q.intended >= 50 && i%1777 == 0: // a few timeouts in the last stage
			q.status, q.errClass, q.done = 0, result.ErrTimeout, q.sent+fxTimeout
		case q.intended >= 40 && q.intended < 50 && i%2503 == 0:
			q.status, q.errClass, q.done = 0, result.ErrReset, q.sent+0.004
		case q.intended >= 30 && q.status == 200 && i%997 == 0:
			q.status = 500
		}
	}
	return reqs
}

// fxHists are the histograms of a stage or a window.
type fxHists struct {
	lat, lat2xx, svc, lag *hdr.Histogram
}

func newFxHists() fxHists {
	return fxHists{result.NewHistogram(), result.NewHistogram(), result.NewHistogram(), result.NewHistogram()}
}

func (h fxHists) add(q *fxRequest) {
	ns := func(s float64) int64 { return result.ClampNS(int64(math.Round(s * 1e9))) }
	if q.notSent {
		return
	}
	must(h.lag.RecordValue(ns(q.sent - q.intended)))
	if q.status == 0 {
		return
	}
	must(h.lat.RecordValue(ns(q.done - q.intended)))
	must(h.svc.RecordValue(ns(q.done - q.sent)))
	if q.status/100 == 2 {
		must(h.lat2xx.RecordValue(ns(q.done - q.intended)))
	}
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

func enc(h *hdr.Histogram) string {
	s, err := result.EncodeHist(h)
	must(err)
	return s
}

func emptyErrors() map[string]int64 {
	m := map[string]int64{}
	for _, c := range result.ErrorClasses {
		m[c] = 0
	}
	return m
}

// count adds q to a stage or window record.
func count(status, errs map[string]int64, q *fxRequest, sent, notSent, completed *int64) {
	switch {
	case q.notSent:
		*notSent++
		return
	case q.status != 0:
		status[strconv.Itoa(q.status)]++
	default:
		errs[q.errClass]++
	}
	*sent++
	*completed++
}

// inFlightArea integrates the number of requests in flight (sent, not done)
// over [t0, t1], and returns the area and the maximum.
func inFlightArea(events []fxEvent, t0, t1 float64) (area float64, max int64) {
	var n int64
	last := t0
	for _, e := range events {
		if e.t >= t1 {
			break
		}
		if e.t > t0 {
			area += float64(n) * (e.t - math.Max(last, t0))
			last = e.t
		}
		n += e.d
		if e.t >= t0 && n > max {
			max = n
		}
	}
	area += float64(n) * (t1 - math.Max(last, t0))
	if n > max {
		max = n
	}
	return area, max
}

type fxEvent struct {
	t float64
	d int64
}

func eventsOf(reqs []fxRequest, server bool) []fxEvent {
	var ev []fxEvent
	for i := range reqs {
		q := &reqs[i]
		switch {
		case server && q.srvDepart > 0 && q.status != 503:
			ev = append(ev, fxEvent{q.srvArrive, 1}, fxEvent{q.srvDepart, -1})
		case !server && !q.notSent:
			ev = append(ev, fxEvent{q.sent, 1}, fxEvent{q.done, -1})
		}
	}
	sort.Slice(ev, func(i, j int) bool {
		if ev[i].t != ev[j].t {
			return ev[i].t < ev[j].t
		}
		return ev[i].d < ev[j].d
	})
	return ev
}

// levelAt is the number in flight just after time t.
func levelAt(events []fxEvent, t float64) int64 {
	var n int64
	for _, e := range events {
		if e.t > t {
			break
		}
		n += e.d
	}
	return n
}

// stepFixture builds the whole fixture result.
