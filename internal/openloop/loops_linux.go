//go:build linux

package openloop

import (
	"context"
	"sync"
	"time"
)

// runLoops runs the event loops, one per part (Config.Parts; one when
// there is none), each on its own locked thread, and waits for them all.
// A loop that fails stops the others as an interrupt would (they give
// their requests in flight the grace), so the recording covers what ran.
// It returns whether ctx interrupted the run and when sending stopped: the
// latest of the loops' stops (parts.go: stopped).
//
// A loop sleeps in a raw system call, keeping its processor, when the
// process has a spare one (GOMAXPROCS above the number of loops:
// evsys_linux.go); else it sleeps in an ordinary one. SpareProcs says how
// many processors a run wants.
func (e *Engine) runLoops(ctx context.Context) (interrupted bool, stop time.Duration, err error) {
	if len(e.parts) == 1 {
		return e.runLoop(ctx, e.parts[0])
	}
	lctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type outcome struct {
		interrupted bool
		stop        time.Duration
		err         error
	}
	out := make([]outcome, len(e.parts))
	var wg sync.WaitGroup
	for i, p := range e.parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in, st, err := e.runLoop(lctx, p)
			if err != nil {
				cancel()
			}
			out[i] = outcome{in, st, err}
		}()
	}
	wg.Wait()
	for _, o := range out {
		stop = max(stop, o.stop)
		if o.err != nil && err == nil {
			err = o.err
		}
	}
	return ctx.Err() != nil, stop, err
}

// SpareProcs is the GOMAXPROCS a run with the event loop and parts parts
// (Config.Parts; 0 or 1: one loop) wants: one processor per loop and one
// spare for everything else, so that the loops can sleep without giving
// theirs up (evsys_linux.go). A caller that may raise GOMAXPROCS for the
// run raises it to this.
func SpareProcs(parts int) int { return max(parts, 1) + 1 }
