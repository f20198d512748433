package openloop

import (
	"context"
	"time"
)

// With Config.OnWindow the dispatchers also tell the recorder when the
// schedule has passed a window boundary while they wait for a distant next
// arrival, so that a window whose requests have ended is sealed (and
// streamed) then, not when the next arrival is scheduled: at rates under
// 1 rps that would be up to one gap later. Without OnWindow nothing here
// runs.

// passTo records that every arrival before t has been scheduled, t being
// no later than now and before any interrupt: an interrupt, later, clips
// nothing that ends by t, so a window sealed here keeps its row. It takes
// the lock only when t reaches the next window boundary (at most once a
// window). Dispatcher only.
func (e *Engine) passTo(p *part, t time.Duration) {
	if t < p.passMark {
		return
	}
	p.passMark = (t/WindowLength + 1) * WindowLength
	e.rec.mu.Lock()
	e.rec.reach(p.index, t)
	e.rec.mu.Unlock()
}

// sleepPassing sleeps to each window boundary before the intended time
// at, telling the recorder as it passes it (passTo), when OnWindow is set;
// the caller then sleeps until at. False if ctx stopped it.
func (e *Engine) sleepPassing(ctx context.Context, sl Sleeper, p *part, at time.Duration) bool {
	if e.cfg.OnWindow == nil {
		return true
	}
	for b := max(p.passMark, WindowLength); b < at; b = p.passMark {
		if !e.sleepTo(ctx, sl, b) { // sending the retries due before b
			return false
		}
		e.passTo(p, b)
	}
	return true
}
