package openloop

import (
	"context"
	"time"
)

// preDialWait bounds how long the start waits for the connections opened
// before it (prepare_linux.go says why they are), so that a target slow
// to accept delays the start by no more than this.
const preDialWait = 500 * time.Millisecond

// preDialWait is how long d's connections before the start may take: the
// client's timeout, at most preDialWait.
func (d *H1Doer) preDialWait() time.Duration {
	if d.timeout > 0 {
		return min(d.timeout, preDialWait)
	}
	return preDialWait
}

// prepare readies the run before its start: the event loops
// (prepareLoops), or, for the HTTP/1.1 client's worker pool, one idle
// worker holding a connection. Other Doers (net/http) open their own when
// the first request comes.
func (e *Engine) prepare(ctx context.Context) {
	d, ok := e.cfg.Doer.(*H1Doer)
	if !ok {
		return
	}
	if e.cfg.EventLoop {
		e.prepareLoops(d)
		return
	}
	c, err := d.dial(ctx, time.Now().Add(d.preDialWait()))
	if err != nil {
		return // the first request dials and fails as it would have
	}
	e.workers++
	e.parts[0].peak = max(e.parts[0].peak, e.workers)
	e.idle.Add(1)
	e.wg.Add(1)
	go e.warmWorker(c)
}

// warmWorker is an idle worker from the start, holding connection c.
func (e *Engine) warmWorker(c *h1Conn) {
	defer e.wg.Done()
	scratch := Scratch{conn: c, sampled: e.sampledSet()}
	defer scratch.Close()
	if it, ok := <-e.work; ok && !it.retire {
		e.serve(it, &scratch)
	}
}
