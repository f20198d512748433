package targets

import (
	"fmt"
	"math"
	"time"
)

// maxLimitRate bounds LimitRate and Burst (a typo, not a server).
const maxLimitRate = 1e9

// validatePolicy reports what is wrong with the policy's own settings.
func (c Config) validatePolicy() []error {
	var errs []error
	switch c.Policy {
	case Reject, Unbounded:
	case Deadline:
		if c.QueueTimeout <= 0 {
			errs = append(errs, fmt.Errorf("queue timeout %v: the deadline policy needs one > 0", c.QueueTimeout))
		}
	case RateLimit:
		if !(c.LimitRate > 0 && c.LimitRate <= maxLimitRate) {
			errs = append(errs, fmt.Errorf("limit %g: the ratelimit policy needs a rate in (0, %g] per second", c.LimitRate, maxLimitRate))
		}
		if !(c.Burst >= 1 && c.Burst <= maxLimitRate) {
			errs = append(errs, fmt.Errorf("burst %g: must be in [1, %g] tokens", c.Burst, maxLimitRate))
		}
		if c.LimitStatus != 0 && c.LimitStatus != 429 && c.LimitStatus != 503 {
			errs = append(errs, fmt.Errorf("limit status %d: want 429 or 503", c.LimitStatus))
		}
	case AIMD:
		if c.AIMDTarget < 0 {
			errs = append(errs, fmt.Errorf("aimd target %v: must be ≥ 0 (0: the mean service time)", c.AIMDTarget))
		}
	default:
		errs = append(errs, fmt.Errorf("policy %v: unknown", c.Policy))
	}
	if c.Policy != Deadline && c.QueueTimeout != 0 {
		errs = append(errs, fmt.Errorf("queue timeout %v: only the deadline policy has one", c.QueueTimeout))
	}
	if c.Policy != RateLimit && (c.LimitRate != 0 || c.LimitStatus != 0) {
		errs = append(errs, fmt.Errorf("limit %g: only the ratelimit policy has one", c.LimitRate))
	}
	if c.Policy != AIMD && c.AIMDTarget != 0 {
		errs = append(errs, fmt.Errorf("aimd target %v: only the aimd policy has one", c.AIMDTarget))
	}
	return errs
}

// limitStatus is the status of a request the token bucket refused.
func (c Config) limitStatus() int {
	if c.LimitStatus == 0 {
		return 429
	}
	return c.LimitStatus
}

// aimdTarget is the AIMD policy's tolerated queue wait.
func (c Config) aimdTarget() time.Duration {
	if c.AIMDTarget > 0 {
		return c.AIMDTarget
	}
	return time.Duration(c.Service.Mean * float64(time.Second))
}

// AIMD constants: the limit grows by 1 after every limit served requests
// that did not wait too long, and shrinks to ⌊limit·aimdBackoff⌋ (at least
// one less) after each one that did (Netflix concurrency-limits' AIMD
// default backoff ratio).
const aimdBackoff = 0.9

// expireDue ends the wait of every queued request whose deadline is at or
// before now (Deadline policy). The patience is the same for all and the
// queue is FIFO, so the due ones are at its head; each expiry is
// integrated at its own instant, so the areas stay exact.
func (m *model) expireDue(now time.Duration) {
	if m.patience <= 0 {
		return
	}
	for m.waiting.len() > 0 {
		t := m.waiting.peek()
		due := t.arrived + m.patience
		if due > now {
			return
		}
		m.integrate(due)
		m.waiting.pop()
		t.expired = true
		m.timedOut++
		t.ready <- struct{}{} // buffered: never blocks
	}
}

// takeToken refills the bucket up to now and takes a token; false when
// there is no whole token (RateLimit policy; always true otherwise).
func (m *model) takeToken(now time.Duration) bool {
	if m.rate <= 0 {
		return true
	}
	m.tokens = math.Min(m.burst, m.tokens+m.rate*(now-m.tokenAt).Seconds())
	m.tokenAt = now
	if m.tokens < 1 {
		m.limited++
		return false
	}
	m.tokens--
	return true
}

// adapt updates the AIMD limit after a request that waited wait.
func (m *model) adapt(wait time.Duration) {
	if !m.aimd {
		return
	}
	if wait > m.aimdTarget {
		m.successes = 0
		m.limit = max(1, min(m.limit-1, int(math.Floor(float64(m.limit)*aimdBackoff))))
		return
	}
	m.successes++
	if m.successes >= m.limit {
		m.successes = 0
		m.limit = min(m.limit+1, m.ceiling)
	}
}
