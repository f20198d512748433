package analysis

import (
	"errors"
	"fmt"
	"math"
	"strings"
)

// ModelSpec is what the user knows about the server. The zero value knows
// nothing: every parameter is then estimated from the result, and Analyze
// says so in the model's source and the warnings.
type ModelSpec struct {
	// Workers is c, the requests served at once; 0 = unknown (estimated
	// from the throughput plateau, c ≈ X_max·E[S]).
	Workers int
	// Queue is the number of waiting slots Q (the model's K = c + Q). It is
	// read only when QueueKnown is set, so that 0 can mean "no waiting
	// room" (a loss system, K = c).
	Queue      int
	QueueKnown bool
	// Unbounded says the server never rejects: its queue has no bound
	// (M/M/c or G/G/c, unstable at ρ ≥ 1). It excludes QueueKnown.
	Unbounded bool
	// ServiceMean is E[S] in seconds on one worker; 0 = unknown (taken from
	// the target's Server-Timing when present, else estimated from the
	// lowest-load stage).
	ServiceMean float64
	// ServiceSCV is the service time's squared coefficient of variation
	// (0 deterministic, 1 exponential), read only when SCVKnown is set.
	ServiceSCV float64
	SCVKnown   bool

	// Mechanism is how the server sheds, when known (one of bounded-queue,
	// queue-timeout, rate-limit, concurrency-limit, adaptive-limit,
	// unbounded, none); "" = recognise it from the result. Queue and
	// Unbounded imply bounded-queue (concurrency-limit with no queue) and
	// unbounded.
	Mechanism string
	// QueueTimeout is a queue-timeout server's D, seconds (0 = estimate).
	QueueTimeout float64
	// RateLimit (per second) and Burst (tokens) are a rate limit's bucket
	// (0 = estimate).
	RateLimit, Burst float64

	// ShedStatus are the status codes counted as shed responses; nil =
	// 503 and 429, and any other 5xx the result shows to be shedding
	// (shedcodes.go).
	ShedStatus []string
}

// mechanisms are the names ModelSpec.Mechanism accepts.
var mechanisms = []string{mechBoundedQueue, mechQueueTimeout, mechRateLimit, mechConcurrency, mechAdaptive, mechUnbounded, mechNone}

// maxSpecWorkers bounds c and Q: the M/M/c/K tables are O(K).
const maxSpecWorkers = 1_000_000

// Validate reports everything wrong with the spec, naming the fields.
func (s ModelSpec) Validate() error {
	var errs []error
	if s.Workers < 0 || s.Workers > maxSpecWorkers {
		errs = append(errs, fmt.Errorf("workers %d: must be in [1, %d] (or 0 for unknown)", s.Workers, maxSpecWorkers))
	}
	if s.QueueKnown && (s.Queue < 0 || s.Queue > maxSpecWorkers) {
		errs = append(errs, fmt.Errorf("queue %d: must be in [0, %d]", s.Queue, maxSpecWorkers))
	}
	if s.QueueKnown && s.Unbounded {
		errs = append(errs, errors.New("queue: a queue size and an unbounded queue exclude each other"))
	}
	if !(s.ServiceMean >= 0) || math.IsInf(s.ServiceMean, 0) || s.ServiceMean > 1e6 {
		errs = append(errs, fmt.Errorf("service time %g s: must be in (0, 1e6] seconds (or 0 for unknown)", s.ServiceMean))
	}
	if s.SCVKnown && (!(s.ServiceSCV >= 0) || s.ServiceSCV > 100) {
		errs = append(errs, fmt.Errorf("service SCV %g: must be in [0, 100]", s.ServiceSCV))
	}
	errs = append(errs, s.validateShedding()...)
	if s.ShedStatus != nil {
		if _, err := ParseShedStatus(strings.Join(s.ShedStatus, ",")); err != nil {
			errs = append(errs, fmt.Errorf("shed status %w", err))
		}
	}
	return errors.Join(errs...)
}
