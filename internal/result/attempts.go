package result

import "time"

// Attempts is the attempt-level record of a stage's logical requests when
// the clients retry (docs/retry.md): the first attempts and the retries of
// the requests that belong to the stage (by their first attempt's intended
// send time, as everywhere). The stage's own counters stay those of the
// logical requests. Absent when retries are off.
//
// Invariants: Count = Σ Status + Σ Errors (an attempt abandoned after an
// interrupt is an errors.canceled); Count − Retries = the stage's Sent
// (every logical request sent has exactly one first attempt); Retries +
// NotSent + BudgetDenied = the retries that fell due.
type Attempts struct {
	Count   int64 `json:"count"`   // attempts sent: first attempts and retries
	Retries int64 `json:"retries"` // retries sent
	// NotSent counts retries that fell due while the in-flight bound was
	// reached, BudgetDenied those the retry budget refused: neither was
	// sent, and each ended its logical request with the attempt before.
	NotSent      int64 `json:"not_sent"`
	BudgetDenied int64 `json:"budget_denied"`

	Status map[string]int64 `json:"status"` // per attempt
	Errors map[string]int64 `json:"errors"` // per attempt, every class present

	// Latency is each attempt's own response time, from its intended send
	// time to its response (responses only).
	Latency Summary    `json:"latency_s"`
	HDR     AttemptHDR `json:"hdr"`
}

// AttemptHDR holds the attempts' latency histogram (see StageHDR).
type AttemptHDR struct {
	Latency string `json:"latency"`
}

// WindowAttempts are a timeline window's attempts under retries, counted
// by each attempt's own intended send time (not its request's): what the
// metastability check compares. Absent when retries are off.
type WindowAttempts struct {
	First int64 `json:"first"` // first attempts sent
	Count int64 `json:"count"` // attempts sent: first attempts and retries
}

// RetryPolicy is the client retry policy of a run (Result.RetryPolicy), in
// the flags' terms; absent when retries were off.
type RetryPolicy struct {
	On          string  `json:"on"` // as --retry-on reads it: "503,429,timeout"
	Max         int     `json:"max"`
	BackoffMinS float64 `json:"backoff_min_s"`
	BackoffMaxS float64 `json:"backoff_max_s"`
	// After is "honor" or "ignore" (Retry-After); AfterMaxS its cap.
	After     string  `json:"after"`
	AfterMaxS float64 `json:"after_max_s"`
	// BudgetPercent is the retry budget, 0 for none.
	BudgetPercent float64 `json:"budget_percent"`
}

// MaxDelay is the largest retry delay the policy allows: the backoff cap,
// or the larger of it and the Retry-After cap when Retry-After is honoured
// (what the metastability check waits out after a drop in rate).
func (p *RetryPolicy) MaxDelay() time.Duration {
	d := p.BackoffMaxS
	if p.After == "honor" {
		d = max(d, p.AfterMaxS)
	}
	return time.Duration(d * float64(time.Second))
}

// Retried reports whether the result records client retries.
func (r *Result) Retried() bool { return r.RetryPolicy != nil }

// SetRetryRates sets Amplification (attempts ÷ scheduled; 0 when nothing
// was scheduled) and GoodputRPS (logical requests that ended 2xx, per
// second of the stage) from the stage's counts; it does nothing when the
// stage has no Attempts. The engine and merge call it after counting.
func (s *Stage) SetRetryRates() {
	if s.Attempts == nil {
		return
	}
	var amp, good float64
	if s.Scheduled > 0 {
		amp = float64(s.Attempts.Count) / float64(s.Scheduled)
	}
	if l := s.LengthS(); l > 0 {
		n2xx, _ := Count(s.Status, nil, 0, "2xx")
		good = float64(n2xx) / l
	}
	s.Amplification, s.GoodputRPS = &amp, &good
}

// AttemptsConserved reports the Attempts invariants against the stage
// (true when the stage has no Attempts).
func (s *Stage) AttemptsConserved() bool {
	a := s.Attempts
	if a == nil {
		return true
	}
	var n int64
	for _, v := range a.Status {
		n += v
	}
	for _, v := range a.Errors {
		n += v
	}
	return a.Count == n && a.Count-a.Retries == s.Sent && a.Retries >= 0 && a.NotSent >= 0 && a.BudgetDenied >= 0
}
