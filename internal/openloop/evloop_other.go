//go:build !linux

package openloop

import (
	"context"
	"errors"
	"time"
)

// runLoops is Linux-only; elsewhere the engine uses its worker mode.
func (e *Engine) runLoops(ctx context.Context) (bool, time.Duration, error) {
	return false, 0, errors.New("the event loop needs Linux")
}

// EventLoopSupported reports whether this platform has the event loop.
const EventLoopSupported = false

// loopHooks is the event loop's test seam; there is no loop here.
type loopHooks struct{}

// SpareProcs is the GOMAXPROCS a run with the event loop wants; there is
// no loop here.
func SpareProcs(parts int) int { return 1 }

// evLoop is the event loop; there is none here.
type evLoop struct{}

// prepareLoops: there are no loops here.
func (e *Engine) prepareLoops(d *H1Doer) {}

// dropLoops: there are no loops here.
func (e *Engine) dropLoops() {}
