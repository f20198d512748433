package result

import "strings"

// Shedding is how the target shed load, recognised from the result
// (analysis.shedding; issue #12). Fields that do not apply to the
// mechanism are absent; every *_ci is the half-width of a 95% interval.
type Shedding struct {
	// Mechanism is one of bounded-queue, queue-timeout, rate-limit,
	// concurrency-limit, adaptive-limit, unbounded, none or unknown.
	Mechanism string `json:"mechanism"`
	// Workers is c, the requests served at once (queue mechanisms).
	Workers   int     `json:"workers,omitempty"`
	WorkersCI float64 `json:"workers_ci,omitempty"`
	// Queue is the waiting slots K − c (bounded-queue), or the limit's
	// time-averaged waiting room (adaptive-limit).
	Queue   *int    `json:"queue,omitempty"`
	QueueCI float64 `json:"queue_ci,omitempty"`
	// Limit is the concurrency limit K (concurrency-limit, and the mean
	// limit of an adaptive one).
	Limit   int     `json:"limit,omitempty"`
	LimitCI float64 `json:"limit_ci,omitempty"`
	// QueueTimeoutS is the longest wait for a worker before a 503
	// (queue-timeout), seconds.
	QueueTimeoutS   float64 `json:"queue_timeout_s,omitempty"`
	QueueTimeoutCIS float64 `json:"queue_timeout_ci_s,omitempty"`
	// RateRPS is a rate limit's sustained rate, BurstTokens its bucket
	// size when the data can tell (rate-limit).
	RateRPS   float64 `json:"rate_rps,omitempty"`
	RateCIRPS float64 `json:"rate_ci_rps,omitempty"`
	Burst     float64 `json:"burst,omitempty"`
	// Confidence is the probability the evidence gives the mechanism
	// against the others it was weighed with, in [0, 1].
	Confidence float64 `json:"confidence"`
	// Evidence lists what was seen and what it says, strongest first.
	Evidence []string `json:"evidence"`
	// Candidates are every mechanism weighed, with its probability.
	Candidates []Candidate `json:"candidates,omitempty"`
	// Source is "recognised" (from the data) or "given".
	Source string `json:"source"`
	// Statuses are the status codes counted as shed when they are not
	// 503 and 429: given (--shed-status), or another 5xx that behaved as
	// shedding does (nginx's 502 when its upstream's backlog is full).
	Statuses []string `json:"statuses,omitempty"`
}

// Answer names the target's shed answers for people: "503", or the first
// of Statuses when they are not the default.
func (s *Shedding) Answer() string {
	if s == nil || len(s.Statuses) == 0 {
		return "503"
	}
	return s.Statuses[0]
}

// Candidate is one mechanism weighed by the recognition.
type Candidate struct {
	Mechanism   string  `json:"mechanism"`
	Probability float64 `json:"probability"`
}

// The reasons an "unknown" mechanism's evidence begins with, when the
// analysis knows why no mechanism applies (docs/result.md, SHEDDING).
const (
	UnknownGenerator = "cannot tell"         // the generator fell behind its schedule
	UnknownCollapse  = "collapse:"           // the admitted requests mostly failed
	UnknownRetried   = "the clients retried" // the stages hold logical requests' outcomes
	UnknownShutOut   = "shut out:"           // it admitted less the more was offered
	UnknownRefused   = "refused:"            // it refused the excess at the connection, not with 503
	UnknownEveryLoad = "every load:"         // the same share not 2xx at every load, no knee: not load shed
)

// UnboundedTimedOut begins an "unbounded" mechanism's evidence when the
// requests past capacity timed out while the 2xx latency grew within no
// stage beyond chance: the excess waited where the 2xx did not (a listen
// backlog, connections left unaccepted), not in a queue that grows.
const UnboundedTimedOut = "timed out:"

// TimedOut reports whether an "unbounded" mechanism's evidence begins
// with UnboundedTimedOut.
func (s *Shedding) TimedOut() bool {
	return s != nil && s.Mechanism == "unbounded" && len(s.Evidence) > 0 && strings.HasPrefix(s.Evidence[0], UnboundedTimedOut)
}

// UnknownReason is an "unknown" mechanism's first evidence line when it
// begins with one of the reasons above; "" otherwise.
func (s *Shedding) UnknownReason() string {
	if s == nil || s.Mechanism != "unknown" || len(s.Evidence) == 0 {
		return ""
	}
	for _, p := range []string{UnknownGenerator, UnknownCollapse, UnknownRetried, UnknownShutOut, UnknownRefused, UnknownEveryLoad} {
		if strings.HasPrefix(s.Evidence[0], p) {
			return s.Evidence[0]
		}
	}
	return ""
}
