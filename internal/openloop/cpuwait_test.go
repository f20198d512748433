package openloop

import (
	"time"

	"github.com/bploadgen/bploadgen/internal/runqueue"
)

// cpuWait is runqueue.Wait: how long this process's threads have waited
// for a processor so far. The difference across a run tells a starved
// machine from an engine late by its own doing.
func cpuWait() (time.Duration, bool) { return runqueue.Wait() }
