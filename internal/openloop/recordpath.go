package openloop

import (
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The recording path. Both ways of sending (the worker pool and the event
// loop) report each arrival's life through these four calls and nothing
// else: scheduled, then either notSent, or sent and later done. They feed
// the recorder, the live counters (Progress) and Config.OnDone, so the two
// modes cannot drift apart in what they count. Times are offsets from the
// run's start.

// scheduled counts an arrival dispatcher p reached. Dispatcher only.
func (e *Engine) scheduled(p *part, a schedule.Arrival) {
	e.rec.scheduled(p.index, a)
	e.scheduledN.Add(1)
}

// notSent counts a scheduled arrival that found the in-flight bound
// reached, and reports it to OnDone with sent = end = −1 and no response.
// Dispatcher only.
func (e *Engine) notSent(a schedule.Arrival) {
	e.rec.notSent(a)
	e.notSentN.Add(1)
	if e.cfg.OnDone != nil {
		e.cfg.OnDone(a, -1, -1, nil)
	}
}

// sent records the actual send of a scheduled arrival at offset at, and
// returns how many requests were in flight then (its level, levels.go).
func (e *Engine) sent(a schedule.Arrival, at time.Duration) (level int32) {
	level = e.rec.sent(a, at)
	e.sentN.Add(1)
	return level
}

// done records the outcome of a request sent at offset sent, at level
// (sent's), that ended at end, then reports it to OnDone.
func (e *Engine) done(a schedule.Arrival, sent, end time.Duration, resp *Response, level int32) {
	e.rec.done(a, sent, end, resp, level)
	if e.cfg.OnDone != nil {
		// A copy: resp itself then stays on its caller's stack (a func
		// value's argument escapes), one allocation a response fewer.
		r := *resp
		e.cfg.OnDone(a, sent, end, &r)
	}
	e.doneN.Add(1)
}
