package mergetest

import (
	"math"
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

// RetrySpec makes the synthetic clients retry (docs/retry.md): a 503 or a
// timeout is retried up to Max times, each retry due a uniform draw in
// [0, BackoffMax) after its attempt ended (full jitter, one level), and
// the results carry attempts, amplification, goodput, per-window attempt
// counts and the retry policy.
type RetrySpec struct {
	Max        int
	BackoffMax time.Duration
	// Denied is the probability that the retry budget denies a due retry;
	// the Spec's NotSent is that of a due retry finding the in-flight
	// bound reached.
	Denied float64
	// StageReject, if set, is the 503 probability of an attempt by the
	// stage its own intended send time falls in (the Spec's Reject
	// elsewhere): an overloaded spike.
	StageReject []float64
}

// Attempt is one attempt of a logical request under retries.
type Attempt struct {
	IntendedS float64 // its own intended send time
	LagNS     int64
	ServiceNS int64
	Status    int
	Err       string
	NotSent   bool // due, not sent: the in-flight bound
	Denied    bool // due, denied by the retry budget
}

// Sent reports whether the attempt was sent.
func (a Attempt) Sent() bool { return !a.NotSent && !a.Denied }

// rejectAt is the 503 probability of an attempt intended at t.
func (s Spec) rejectAt(t float64) float64 {
	if s.Retry == nil || s.Retry.StageReject == nil {
		return s.Reject
	}
	i := StageOf(s, t)
	if i < len(s.Retry.StageReject) {
		return s.Retry.StageReject[i]
	}
	return s.Reject
}

// retryable reports whether an attempt's outcome is retried.
func retryable(a Attempt) bool { return a.Status == 503 || a.Err == result.ErrTimeout }

// retries draws q's retries (q is its first attempt's outcome) and makes
// q the logical request: its final outcome, latency from the first
// attempt's intended send time (WaitNS), every attempt in Attempts.
func retries(rng *rand.Rand, s Spec, q *Request, svcMean float64) {
	first := Attempt{IntendedS: q.IntendedS, LagNS: q.LagNS, ServiceNS: q.ServiceNS, Status: q.Status, Err: q.Err, NotSent: q.NotSent}
	q.Attempts = []Attempt{first}
	if q.NotSent {
		return
	}
	last := first
	for n := 1; n <= s.Retry.Max && retryable(last); n++ {
		t := last.IntendedS + secondsNS(last.LagNS+last.ServiceNS) + rng.Float64()*s.Retry.BackoffMax.Seconds()
		if rng.Float64() < s.Retry.Denied {
			q.Attempts = append(q.Attempts, Attempt{IntendedS: t, Denied: true})
			break
		}
		r := outcome(rng, s, t, svcMean)
		a := Attempt{IntendedS: t, LagNS: r.LagNS, ServiceNS: r.ServiceNS, Status: r.Status, Err: r.Err, NotSent: r.NotSent}
		q.Attempts = append(q.Attempts, a)
		if a.NotSent {
			break
		}
		last = a
	}
	q.Status, q.Err, q.ServiceNS = last.Status, last.Err, last.ServiceNS
	q.WaitNS = int64(math.Round((last.IntendedS-first.IntendedS)*1e9)) + last.LagNS - first.LagNS
}

// retryPolicy is the result's record of s.Retry.
func retryPolicy(s Spec) *result.RetryPolicy {
	if s.Retry == nil {
		return nil
	}
	p := &result.RetryPolicy{On: "503,timeout", Max: s.Retry.Max, BackoffMinS: 0.001,
		BackoffMaxS: s.Retry.BackoffMax.Seconds(), After: "ignore", AfterMaxS: 30}
	if s.Retry.Denied > 0 {
		p.BudgetPercent = 20
	}
	return p
}

// attempts sets st.Attempts and its rates from the stage's logical
// requests (every attempt of theirs, wherever it fell in time).
func attempts(st *result.Stage, reqs []Request) error {
	a := &result.Attempts{Status: map[string]int64{}, Errors: zeroErrors()}
	lat := result.NewHistogram()
	for _, q := range reqs {
		for i, at := range q.Attempts {
			switch {
			case at.Denied:
				a.BudgetDenied++
				continue
			case at.NotSent && i > 0:
				a.NotSent++
				continue
			case at.NotSent:
				continue // the logical request's not_sent
			}
			a.Count++
			if i > 0 {
				a.Retries++
			}
			if at.Err != "" {
				a.Errors[at.Err]++
				continue
			}
			a.Status[strconv.Itoa(at.Status)]++
			if err := record(lat, at.LagNS+at.ServiceNS); err != nil {
				return err
			}
		}
	}
	a.Latency = result.Summarize(lat)
	var err error
	if a.HDR.Latency, err = result.EncodeHist(lat); err != nil {
		return err
	}
	st.Attempts = a
	st.SetRetryRates()
	return nil
}

// windowAttempts fills each window's attempt counts by the attempts' own
// intended send times (past the last window: the last window).
func windowAttempts(ws []result.Window, reqs []Request) {
	for k := range ws {
		ws[k].Attempts = &result.WindowAttempts{}
	}
	for _, q := range reqs {
		for i, at := range q.Attempts {
			if !at.Sent() {
				continue
			}
			w := ws[max(0, min(int(at.IntendedS), len(ws)-1))].Attempts
			w.Count++
			if i == 0 {
				w.First++
			}
		}
	}
}
