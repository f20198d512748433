package sizing

import (
	"errors"
	"fmt"
	"math/rand/v2"
)

// The mechanisms a sizing answers for: how the server sheds load.
const (
	BoundedQueue = "bounded-queue" // workers and a queue (Size)
	QueueTimeout = "queue-timeout" // workers and a queue timeout (Timeout)
	RateLimit    = "rate-limit"    // the rate a number of workers serves within the SLO (MaxRateForSLO)
)

// ErrNoWorkers is Recommend's error for a rate limit without Spec.Workers:
// a rate-limited run does not show the workers behind the limit.
var ErrNoWorkers = errors.New("a rate limit is sized for the workers behind it")

// CheckMechanism refuses a mechanism Recommend does not size ("" is the
// bounded queue).
func CheckMechanism(m string) error {
	switch m {
	case "", BoundedQueue, QueueTimeout, RateLimit:
		return nil
	}
	return fmt.Errorf("must be %s, %s or %s, got %q", BoundedQueue, QueueTimeout, RateLimit, m)
}

// Answer is a sizing for one mechanism: the field of its mechanism is set.
type Answer struct {
	Mechanism string         // BoundedQueue, QueueTimeout or RateLimit
	Queue     *Result        // BoundedQueue
	Timeout   *TimeoutSizing // QueueTimeout
	Rate      float64        // RateLimit: requests/s, 0 when the service time alone breaks the SLO
}

// Recommend sizes spec for the mechanism ("" is BoundedQueue); r seeds
// the simulations. Objectives that cannot be met are an answer (Met).
func Recommend(spec Spec, mechanism string, r *rand.Rand) (Answer, error) {
	if err := CheckMechanism(mechanism); err != nil {
		return Answer{}, fmt.Errorf("mechanism %v", err)
	}
	a := Answer{Mechanism: mechanism}
	var err error
	switch mechanism {
	case RateLimit:
		if spec.Workers < 1 {
			return a, ErrNoWorkers
		}
		a.Rate, err = MaxRateForSLO(spec.Workers, spec.Service, 1, spec.SLO, spec.MaxUtilization)
	case QueueTimeout:
		a.Timeout, err = Timeout(spec, r)
	default:
		a.Mechanism = BoundedQueue
		a.Queue, err = Size(spec, r)
	}
	return a, err
}

// Met reports whether the answer meets the objectives of spec, and if not,
// why, in words.
func (a Answer) Met(spec Spec) (bool, string) {
	switch {
	case a.Queue != nil && !a.Queue.Feasible:
		return false, "the objectives cannot be met: " + a.Queue.Reason
	case a.Timeout != nil && !a.Timeout.Feasible:
		return false, "the objectives cannot be met: " + a.Timeout.Reason
	case a.Mechanism == RateLimit && a.Rate <= 0:
		return false, "the service time alone breaks " + spec.SLO.String()
	}
	return true, ""
}
