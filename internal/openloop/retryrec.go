package openloop

import (
	"fmt"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The attempts of a run with retries (result.Attempts, WindowAttempts):
// a stage counts the attempts of its logical requests (by the first
// attempt's intended time, like every stage counter), a window the
// attempts sent by their own intended time (the arrival's, or the retry's
// due time). Recorded under the recorder's lock; nothing here runs with
// retries off.

// attAcc is a stage's or a window's attempts.
type attAcc struct {
	count, retries, notSent, denied int64 // stages
	status                          map[int]int64
	errors                          [len(result.ErrorClasses)]int64
	latency                         *hdr.PackedHistogram // each attempt's own latency, responses

	first, sent int64 // windows: first attempts and attempts sent
}

func attOf(x *acc) *attAcc {
	if x.att == nil {
		x.att = &attAcc{status: map[int]int64{}}
	}
	return x.att
}

// attemptSent counts an attempt sent whose intended time is at.
func (r *recorder) attemptSent(at time.Duration, first bool) {
	r.mu.Lock()
	w := attOf(&r.windows[r.windowOf(at)])
	w.sent++
	if first {
		w.first++
	}
	r.mu.Unlock()
}

// attemptDone records attempt n of a's logical request, its latency lat
// from its own intended time, and keeps a sample of its response.
func (r *recorder) attemptDone(a schedule.Arrival, n uint32, lat time.Duration, resp *Response) {
	r.mu.Lock()
	s := attOf(&r.stages[a.Stage])
	s.count++
	if n > 0 {
		s.retries++
	}
	if resp.ErrClass != "" {
		s.errors[errIndex(resp.ErrClass)]++
	} else {
		s.status[resp.Status]++
		if s.latency == nil {
			s.latency = result.NewPacked()
		}
		_ = s.latency.RecordValue(result.ClampNS(int64(lat)))
	}
	r.sample(resp)
	r.mu.Unlock()
}

// retryDropped counts a due retry of a's logical request that was not sent.
func (r *recorder) retryDropped(a schedule.Arrival, why int) {
	r.mu.Lock()
	s := attOf(&r.stages[a.Stage])
	switch why {
	case dropBound:
		s.notSent++
	case dropBudget:
		s.denied++
	}
	r.mu.Unlock()
}

// windowAttempts is a window's row of attempts; nil with retries off.
func (e *Engine) windowAttempts(w *acc) *result.WindowAttempts {
	if e.rt == nil {
		return nil
	}
	out := &result.WindowAttempts{}
	if w.att != nil {
		out.First, out.Count = w.att.first, w.att.sent
	}
	return out
}

// fillAttempts sets the stages' and the total's attempts and their rates
// (build, locked, after the stages are assembled).
func (e *Engine) fillAttempts(rec *Recording) {
	if e.rt == nil {
		return
	}
	total := attAcc{status: map[int]int64{}}
	totalLat := result.NewHistogram()
	for i := range e.rec.stages {
		a := e.rec.stages[i].att
		if a == nil {
			a = &attAcc{status: map[int]int64{}}
		}
		rec.Stages[i].Attempts = a.result()
		rec.Stages[i].SetRetryRates()
		total.count += a.count
		total.retries += a.retries
		total.notSent += a.notSent
		total.denied += a.denied
		for k, v := range a.status {
			total.status[k] += v
		}
		for k, v := range a.errors {
			total.errors[k] += v
		}
		if a.latency != nil {
			a.latency.MergeInto(totalLat)
		}
	}
	t := total.result()
	t.Latency = result.Summarize(totalLat)
	t.HDR.Latency, _ = result.EncodeHist(totalLat)
	rec.Total.Attempts = t
	rec.Total.SetRetryRates()
}

func (a *attAcc) result() *result.Attempts {
	out := &result.Attempts{Count: a.count, Retries: a.retries, NotSent: a.notSent, BudgetDenied: a.denied,
		Status: statusMap(a.status), Errors: errorMap(&a.errors)}
	out.Latency = summarizePacked(a.latency)
	out.HDR.Latency, _ = result.EncodePacked(a.latency)
	return out
}

// retryWarnings says how long the retries kept the run going past the
// plan's end (the run lasts until every logical request is final).
func (e *Engine) retryWarnings(rec *Recording) []string {
	if e.rt == nil {
		return nil
	}
	plan := e.cfg.Schedule.Duration()
	if rec.Interrupted || rec.Elapsed <= plan || rec.Total.Attempts == nil || rec.Total.Attempts.Retries == 0 {
		return nil
	}
	return []string{fmt.Sprintf("client retries: the run went on %s past the plan's end, until every request's last attempt had ended (%d retries sent)",
		numfmt.GoDuration((rec.Elapsed - plan).Seconds()), rec.Total.Attempts.Retries)}
}
