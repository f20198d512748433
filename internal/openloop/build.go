package openloop

import (
	"fmt"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
	"strconv"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// build finalizes every interval and assembles the recording. Called once,
// after every worker has returned.
func (e *Engine) build(startedAt time.Time, elapsed, end time.Duration, interrupted bool) *Recording {
	r := e.rec
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flush() // the in-flight changes still held (inflight.go)
	for i := range r.windows {
		if w := &r.windows[i]; !w.final || w.packed != [nHist]*hdr.PackedHistogram{} {
			w.final = true
			r.compactWindow(w)
		}
	}
	for i := range r.stages {
		if s := &r.stages[i]; !s.final || s.dense != [nHist]*hdr.Histogram{} {
			s.final = true
			r.compactStage(s)
		}
	}
	rec := &Recording{StartedAt: startedAt, Elapsed: elapsed, End: end, Interrupted: interrupted,
		NotSent: e.notSentN.Load(), PeakWorkers: e.peakConns(), TimerSlack: e.timerSlack()}

	total := &acc{start: 0, end: end, status: map[int]int64{}}
	var totalGaps gapStats
	for i := range total.dense {
		total.dense[i] = result.NewHistogram()
	}
	for i := range r.stages {
		a := &r.stages[i]
		rec.Stages = append(rec.Stages, e.stageResult(i+1, a, a.start, min(a.end, end), e.stageGaps(i)))
		total.scheduled += a.scheduled
		total.sent += a.sent
		total.notSent += a.notSent
		total.completed += a.completed
		for k, v := range a.status {
			total.status[k] += v
		}
		total.addLevels(a)
		for k, v := range a.errors {
			total.errors[k] += v
		}
		total.areaNS += a.areaNS
		total.busyNS += a.busyNS
		total.maxInFlight = max(total.maxInFlight, a.maxInFlight)
		total.srvSum += a.srvSum
		total.srvSumSq += a.srvSumSq
		for h, p := range a.packed {
			if p != nil {
				p.MergeInto(total.dense[h])
			}
		}
		g := e.stageGaps(i)
		totalGaps.n += g.n
		totalGaps.sum += g.sum
		totalGaps.sumSq += g.sumSq
	}
	rec.Total = e.stageResult(0, total, 0, end, totalGaps)
	rec.Total.Name = "total"
	e.fillAttempts(rec) // retryrec.go
	e.fillByRequest(rec, end)

	for i := range r.windows {
		w := &r.windows[i]
		if w.start >= end && !(i == 0 && end == 0) {
			break
		}
		rec.Timeline = append(rec.Timeline, e.windowResult(w, min(w.end, end)))
	}
	if r.onWindow != nil { // the windows the finalizer has not reported
		for _, row := range rec.Timeline[min(r.streamNext, len(rec.Timeline)):] {
			r.onWindow(row)
		}
		r.streamNext = len(r.windows)
	}
	if len(r.samples.Responses) > 0 || len(r.samples.Errors) > 0 {
		s := r.samples
		rec.Samples = &s
	}
	rec.Warnings = append(e.warnings(rec), e.retryWarnings(rec)...) // retryrec.go
	if e.loopErr != nil {
		rec.Err = e.loopErr
		rec.Warnings = append(rec.Warnings, e.loopErr.Error())
	}
	return rec
}

// stageResult converts an accumulator over [start, end).
func (e *Engine) stageResult(index int, a *acc, start, end time.Duration, g gapStats) result.Stage {
	if end < start {
		end = start
	}
	length := (end - start).Seconds()
	per := func(n float64) float64 {
		if length <= 0 {
			return 0
		}
		return n / length
	}
	st := result.Stage{
		Index: index, StartS: start.Seconds(), EndS: end.Seconds(),
		OfferedRPS: per(e.cfg.Schedule.Expected(start, end)),
		Scheduled:  a.scheduled, Sent: a.sent, NotSent: a.notSent, Completed: a.completed,
		AchievedRPS:    per(float64(a.sent)),
		Status:         statusMap(a.status),
		InFlightAtSend: levelMap(a.levels),
		Errors:         errorMap(&a.errors),
		InFlightMean:   per(a.areaNS / 1e9),
		InFlightMax:    a.maxInFlight,
		BusyS:          a.busyNS / 1e9,
		Gaps:           g.n, GapSum: g.sum, GapSumSq: g.sumSq,
		ArrivalSCV: result.SCV(g.n, g.sum, g.sumSq),
	}
	n2xx, _ := result.Count(st.Status, nil, 0, "2xx")
	st.ThroughputRPS = per(float64(n2xx))
	sum := func(h int) (result.Summary, string) {
		if d := a.dense[h]; d != nil {
			s, _ := e.rec.enc.Dense(d)
			return result.Summarize(d), s
		}
		s, _ := e.rec.enc.Packed(a.packed[h])
		return summarizePacked(a.packed[h]), s
	}
	st.Latency, st.HDR.Latency = sum(hLatency)
	st.Latency2xx, st.HDR.Latency2xx = sum(hLatency2xx)
	st.ServiceTime, st.HDR.ServiceTime = sum(hService)
	st.SendLag, st.HDR.SendLag = sum(hSendLag)
	q, qe := sum(hSrvQueue)
	s, se := sum(hSrvService)
	if s.Count > 0 || q.Count > 0 {
		st.ServerTiming = &result.ServerTiming{Queue: q, Service: s,
			ServiceSum: a.srvSum, ServiceSumSq: a.srvSumSq,
			ServiceSCV: result.SCV(s.Count, a.srvSum, a.srvSumSq)}
		st.HDR.ServerQueue, st.HDR.ServerService = qe, se
	}
	return st
}

func (e *Engine) windowResult(w *acc, end time.Duration) result.Window {
	d := (end - w.start).Seconds()
	per := func(n float64) float64 {
		if d <= 0 {
			return 0
		}
		return n / d
	}
	status := statusMap(w.status)
	n2xx, _ := result.Count(status, nil, 0, "2xx")
	lat := w.lat
	return result.Window{
		TS: w.start.Seconds(), DurationS: d,
		OfferedRPS: per(e.cfg.Schedule.Expected(w.start, end)),
		Scheduled:  w.scheduled, Sent: w.sent, NotSent: w.notSent, Completed: w.completed,
		AchievedRPS: per(float64(w.sent)), ThroughputRPS: per(float64(n2xx)),
		Status: status, Errors: errorMap(&w.errors),
		P50S: lat.P50, P90S: lat.P90, P99S: lat.P99, MaxS: lat.Max, MeanS: lat.Mean,
		InFlightMean: per(w.areaNS / 1e9), InFlightMax: w.maxInFlight,
		HDR:      w.hdr,
		Attempts: e.windowAttempts(w),
	}
}

func statusMap(m map[int]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[strconv.Itoa(k)] = v
	}
	return out
}

func errorMap(errs *[len(result.ErrorClasses)]int64) map[string]int64 {
	out := make(map[string]int64, len(errs))
	for i, c := range result.ErrorClasses {
		out[c] = errs[i]
	}
	return out
}

// LagLimit is the send lag p99 above which a run is flagged as
// generator-limited: the larger of 1 ms and a tenth of the mean service
// time (queueing.md §1: the lag must be ≪ E[S]).
func LagLimit(meanService float64) float64 {
	return max(0.001, meanService/10)
}

// lagLimited reports whether the generator fell behind its schedule in t:
// send lag p99 above LagLimit plus the run's timer slack (Config.TimerSlack,
// or what SlackAuto learnt: lateness up to it is chosen, not fallen into).
func lagLimited(t *result.Stage, slack time.Duration) bool {
	return t.SendLag.Count > 0 && t.SendLag.P99 > LagLimit(t.ServiceTime.Mean)+slack.Seconds()
}

func (e *Engine) warnings(rec *Recording) []string {
	var w []string
	t := &rec.Total
	noRow := e.noRowN.Load() // mixsend.go
	if n := t.NotSent - noRow; n > 0 {
		w = append(w, fmt.Sprintf("the generator limited the load: %d of %d requests (%.2f%%) were not sent because %d were already in flight (--max-in-flight); raise --max-in-flight, or read the target's latency as the cause",
			n, t.Scheduled, 100*float64(n)/float64(max(t.Scheduled, 1)), e.cfg.MaxInFlight))
	}
	if noRow > 0 {
		w = append(w, fmt.Sprintf("%d requests were not sent because the request set had none for them (the data rows of order unique ran out)", noRow))
	}
	if lim := LagLimit(t.ServiceTime.Mean) + rec.TimerSlack.Seconds(); lagLimited(t, rec.TimerSlack) {
		w = append(w, fmt.Sprintf("the generator fell behind its schedule: send lag p99 %s > %s (latency is still measured from the intended send time, but requests reached the target late; is the generator CPU-bound?)%s",
			numfmt.GoDuration(t.SendLag.P99), numfmt.GoDuration(lim), e.wakeCause(t.SendLag.P99)))
	}
	if nw := noAnswer(t, rec.Samples); nw != "" {
		w = append(w, nw)
	}
	if fw := e.rec.fly.warning(); fw != "" {
		w = append(w, fw)
	}
	if e.lineBufs().refused > 0 {
		lim := e.cfg.LoopBufferBytes
		if lim <= 0 {
			lim = DefaultLoopBufferBytes
		}
		w = append(w, fmt.Sprintf("%d requests failed (error class other) because the event loop's buffers for unfinished response lines were full (%s across all connections): the target sent long header lines slowly to many connections at once",
			e.lineBufs().refused, numfmt.Bytes(float64(lim))))
	}
	return w
}

// noAnswer is the warning of a run in which requests were sent and none
// was answered, naming the commonest error and its first message ("" when
// a response came): the target was down, unreachable or broken, which the
// counts alone say less plainly.
func noAnswer(t *result.Stage, s *result.Samples) string {
	if t.Sent == 0 {
		return ""
	}
	for _, n := range t.Status {
		if n > 0 {
			return ""
		}
	}
	var parts []string
	top, topN := "", int64(0)
	for _, c := range result.ErrorClasses {
		if n := t.Errors[c]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %s", c, numfmt.Int(n)))
			if n > topN {
				top, topN = c, n
			}
		}
	}
	msg := fmt.Sprintf("no request was answered: all %s sent ended in errors (%s)", numfmt.Int(t.Sent), strings.Join(parts, ", "))
	if s != nil && s.Errors[top] != "" {
		msg += fmt.Sprintf("; the first %s error: %s", top, s.Errors[top])
	}
	if top == result.ErrConnect {
		msg += "; is the target up at that address?"
	}
	return msg
}

// GeneratorLimited reports whether the recording's warnings say the
// generator, not the target, bounded the load.
func (rec *Recording) GeneratorLimited() bool {
	return rec.Total.NotSent > 0 || lagLimited(&rec.Total, rec.TimerSlack)
}
