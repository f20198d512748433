//go:build !linux

package openloop

import (
	"context"
	"errors"
	"time"
)

// runLoops is Linux-only; elsewhere the engine uses its worker mode.
func (e *Engine) runLoops(ctx context.Context, d *H1Doer) (bool, time.Duration, error) {
	return false, 0, errors.New("the event loop needs Linux")
}

// EventLoopSupported reports whether this platform has the event loop.
const EventLoopSupported = false

// loopHooks is the event loop's test seam; there is no loop here.
type loopHooks struct{}

// SpareProcs is the GOMAXPROCS a run with the event loop wants; there is
// no loop here.
func SpareProcs(parts int) int { return 1 }

// preDialLoops: there are no loops here.
func (e *Engine) preDialLoops(d *H1Doer) {}

// closeWarm: there are no loops here.
func (e *Engine) closeWarm() {}
