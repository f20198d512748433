package targets

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

// Policy says how the server sheds load: what it does with a request it
// cannot serve at once.
type Policy int

const (
	// Reject admits a request only while (in service + waiting) < c + Queue;
	// otherwise it answers 503 at once. This is M/M/c/K with K = c + Queue.
	Reject Policy = iota
	// Unbounded admits every request: the queue grows without bound under
	// overload and so does latency (no backpressure; M/M/c, unstable at ρ ≥ 1).
	Unbounded
	// Deadline admits every request into an unbounded FIFO queue, but a
	// request that has not reached a worker QueueTimeout after it arrived
	// is answered 503 (with Retry-After) then: M/M/c+D (queueing.MMCD).
	Deadline
	// RateLimit puts a token bucket (LimitRate per second, Burst tokens) in
	// front of the Reject policy's workers and queue: a request that finds
	// no whole token is answered LimitStatus (429 or 503) at once.
	RateLimit
	// AIMD admits a request only while (in service + waiting) < L, an
	// adaptive concurrency limit in [1, c + Queue] that starts at c: +1
	// after every L requests served without waiting longer than AIMDTarget
	// in the queue, ×0.9 (at least −1) after each one that waited longer.
	AIMD
)

// policyNames are the flag spellings, by Policy.
var policyNames = [...]string{Reject: "reject", Unbounded: "unbounded", Deadline: "deadline", RateLimit: "ratelimit", AIMD: "aimd"}

// String is the policy's flag spelling.
func (p Policy) String() string {
	if p >= 0 && int(p) < len(policyNames) {
		return policyNames[p]
	}
	return "Policy(" + strconv.Itoa(int(p)) + ")"
}

// ParsePolicy reads a policy's flag spelling (case-insensitive).
func ParsePolicy(s string) (Policy, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	for i, n := range policyNames {
		if v == n {
			return Policy(i), nil
		}
	}
	return 0, fmt.Errorf("policy %q: want %s", s, strings.Join(policyNames[:], ", "))
}

// Config describes a reference server. The zero value is not valid: Workers
// and Service are required.
type Config struct {
	// Addr is the TCP address Start listens on; "" means "127.0.0.1:0".
	Addr string
	// Workers is c, the number of requests served at once (≥ 1).
	Workers int
	// Queue is the number of waiting slots (≥ 0) under the Reject,
	// RateLimit and AIMD policies; the model's system capacity is
	// K = Workers + Queue. Ignored by Unbounded and Deadline.
	Queue int
	// Service is the service-time distribution (dist.Parse).
	Service dist.Dist
	// Policy is how the server sheds load (Reject by default).
	Policy Policy
	// QueueTimeout is the Deadline policy's longest wait for a worker (> 0).
	QueueTimeout time.Duration
	// LimitRate (tokens per second, > 0) and Burst (bucket size, ≥ 1) are
	// the RateLimit policy's token bucket; LimitStatus is the status of a
	// refused request, 429 or 503 (0 means 429).
	LimitRate   float64
	Burst       float64
	LimitStatus int
	// AIMDTarget is the AIMD policy's tolerated queue wait: a request that
	// waited longer counts as a drop (0 means the mean service time).
	AIMDTarget time.Duration
	// Seed seeds the service-time generator: the same seed gives the same
	// sequence of nominal service times, in order of service start.
	Seed uint64
	// StallEvery and StallFor inject outages: in every period of StallEvery
	// (from the server's start) all workers freeze for the last StallFor of it,
	// i.e. during [k·StallEvery, k·StallEvery+StallFor) for k ≥ 1. Both zero
	// means no stalls; otherwise 0 < StallFor < StallEvery.
	StallEvery, StallFor time.Duration
}

// maxWorkers bounds Workers and Queue to keep a typo from allocating the
// machine away.
const maxWorkers = 1 << 20

// Validate reports everything wrong with c, naming the fields. New and Start
// call it; a command calls it first to tell bad input from a failure to listen.
func (c Config) Validate() error {
	var errs []error
	if c.Workers < 1 || c.Workers > maxWorkers {
		errs = append(errs, fmt.Errorf("workers %d: must be in [1, %d]", c.Workers, maxWorkers))
	}
	if c.Queue < 0 || c.Queue > maxWorkers {
		errs = append(errs, fmt.Errorf("queue %d: must be in [0, %d]", c.Queue, maxWorkers))
	}
	if !(c.Service.Mean > 0) || c.Service.Mean > 1e6 {
		errs = append(errs, fmt.Errorf("service %v: mean must be in (0, 1e6] seconds", c.Service))
	}
	if c.Service.Kind == dist.Lognormal && !(c.Service.Sigma > 0) {
		errs = append(errs, fmt.Errorf("service %v: lognormal sigma must be > 0", c.Service))
	}
	errs = append(errs, c.validatePolicy()...)
	switch {
	case c.StallEvery == 0 && c.StallFor == 0:
	case c.StallEvery <= 0 || c.StallFor <= 0:
		errs = append(errs, fmt.Errorf("stall every %v for %v: both must be > 0 (or both 0)", c.StallEvery, c.StallFor))
	case c.StallFor >= c.StallEvery:
		errs = append(errs, fmt.Errorf("stall every %v for %v: stall-for must be shorter than stall-every", c.StallEvery, c.StallFor))
	}
	return errors.Join(errs...)
}

// Capacity is the maximum throughput c/E[S] in requests per second.
func (c Config) Capacity() float64 { return float64(c.Workers) / c.Service.Mean }

// SystemCapacity is the model's K = c + Queue (requests in service plus
// waiting; for AIMD the limit's ceiling), or -1 for the Unbounded and
// Deadline policies (their waiting room has no bound).
func (c Config) SystemCapacity() int {
	if c.Policy == Unbounded || c.Policy == Deadline {
		return -1
	}
	return c.Workers + c.Queue
}

// Model is the Kendall notation of the server under Poisson arrivals:
// "M/M/8/16" for exp service with K = 16, "M/D/8/16" for det, "M/G/8/16"
// for lognormal, no K ("M/M/8") for the Unbounded policy, "M/M/8+D" for
// Deadline, "TB → M/M/8/16" for RateLimit and "M/M/8/AIMD≤16" for AIMD.
func (c Config) Model() string {
	s := "G"
	switch c.Service.Kind {
	case dist.Exponential:
		s = "M"
	case dist.Deterministic:
		s = "D"
	}
	m := "M/" + s + "/" + strconv.Itoa(c.Workers)
	switch c.Policy {
	case Reject:
		m += "/" + strconv.Itoa(c.SystemCapacity())
	case Deadline:
		m += "+D"
	case RateLimit:
		m = "TB → " + m + "/" + strconv.Itoa(c.SystemCapacity())
	case AIMD:
		m += "/AIMD≤" + strconv.Itoa(c.SystemCapacity())
	}
	return m
}
