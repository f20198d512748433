package openloop

import "github.com/bploadgen/bploadgen/internal/runqueue"

// startWait begins measuring how long this process's threads wait for a
// processor, those that end included (each run's finalizer thread, at
// nice 19, does: background_linux.go): the wait across a run tells a starved machine from an engine
// late by its own doing. Stop the meter for the figure.
func startWait() *runqueue.Meter { return runqueue.Start() }
