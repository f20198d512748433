package openloop

import (
	"time"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The recording by request (Config.ByRequest): per stage and per request
// name, the counters and packed HDR histograms (latency, latency_2xx,
// service time) of the stage's own accumulator, never per window, so the
// memory is bounded by stages × names (at most mix.MaxNames + 1). The
// recorder's four calls feed it under its lock, so every event loop of the
// run records into the same accumulators, exactly as into the stage's.

// reqRec is the recording by request.
type reqRec struct {
	set   *mix.Set
	names []string
	accs  [][]acc // [stage][name]
}

func newReqRec(set *mix.Set, stages int) *reqRec {
	q := &reqRec{set: set, names: set.Names(), accs: make([][]acc, stages)}
	for i := range q.accs {
		q.accs[i] = make([]acc, len(q.names))
	}
	return q
}

// of is arrival a's accumulator: its stage's, for its request's name (a
// pure function of its seq, so no per-arrival state is kept).
func (q *reqRec) of(a schedule.Arrival) *acc {
	return &q.accs[a.Stage][q.set.NameOf(q.set.Choose(uint64(a.Seq)))]
}

// done records a request's outcome (as recorder.done records the stage's).
func (q *reqRec) done(a schedule.Arrival, lat, svc int64, resp *Response) {
	x := q.of(a)
	x.completed++
	if resp.ErrClass != "" {
		x.errors[errIndex(resp.ErrClass)]++
		return
	}
	x.addStatus(resp.Status)
	x.record(hLatency, lat)
	x.record(hService, svc)
	if resp.Status >= 200 && resp.Status <= 299 {
		x.record(hLatency2xx, lat)
	}
}

// fillByRequest sets every stage's and the total's ByRequest: every name
// of the set in each (a name no arrival took has zero counts), so shards
// and whole runs have the same keys. Called by build, locked.
func (e *Engine) fillByRequest(rec *Recording, end time.Duration) {
	q := e.rec.byReq
	if q == nil {
		return
	}
	totals := make([]acc, len(q.names))
	for n := range totals {
		totals[n].status = map[int]int64{}
		for _, h := range [...]int{hLatency, hLatency2xx, hService} {
			totals[n].dense[h] = result.NewHistogram()
		}
	}
	for i := range rec.Stages {
		st := &e.rec.stages[i]
		m := make(map[string]*result.RequestStats, len(q.names))
		for n, name := range q.names {
			a := &q.accs[i][n]
			s := e.stageResult(i+1, a, st.start, min(st.end, end), gapStats{})
			m[name] = s.AsRequest()
			addReq(&totals[n], a)
		}
		rec.Stages[i].ByRequest = m
	}
	m := make(map[string]*result.RequestStats, len(q.names))
	for n, name := range q.names {
		s := e.stageResult(0, &totals[n], 0, end, gapStats{})
		m[name] = s.AsRequest()
	}
	rec.Total.ByRequest = m
}

// addReq adds a stage's request accumulator to the request's total.
func addReq(t, a *acc) {
	t.scheduled += a.scheduled
	t.sent += a.sent
	t.notSent += a.notSent
	t.completed += a.completed
	for k, v := range a.status {
		t.status[k] += v
	}
	for k, v := range a.errors {
		t.errors[k] += v
	}
	for h, p := range a.packed {
		if p != nil && t.dense[h] != nil {
			p.MergeInto(t.dense[h])
		}
	}
}
