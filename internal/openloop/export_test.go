package openloop

import (
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// RecordOne runs one request's events through the engine's recording path
// (scheduled, sent, done: recordpath.go), for benchmarks in openloop_test.
func (e *Engine) RecordOne(a schedule.Arrival, sent, end time.Duration, resp *Response) {
	e.scheduled(e.parts[0], a)
	e.done(a, sent, end, resp, e.sent(a, sent))
}

// StartFinalizer starts the recorder's finalizer as Run does; stop closes
// it and waits.
func (e *Engine) StartFinalizer() (stop func()) {
	done := make(chan struct{})
	go e.rec.finalizer(done)
	return func() { close(e.rec.finals); <-done }
}
