package openloop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/retry"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// retryLog is a loopback server for client retries: it answers 503 with
// Retry-After: 1 to the first request of each X-Seq (or to every request,
// always), 200 after, and logs per seq when each request arrived, its
// X-Attempt, and when the 503 to the first was written.
type retryLog struct {
	mu       sync.Mutex
	always   bool
	arrivals map[int64][]time.Time
	attempts map[int64][]string
	first503 map[int64]time.Time
	bad      []string
}

func newRetryLog(t *testing.T, always bool) (*retryLog, string) {
	l := &retryLog{always: always, arrivals: map[int64][]time.Time{}, attempts: map[int64][]string{}, first503: map[int64]time.Time{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		seq, err := strconv.ParseInt(r.Header.Get("X-Seq"), 10, 64)
		l.mu.Lock()
		if err != nil {
			l.bad = append(l.bad, r.Header.Get("X-Seq"))
		}
		l.arrivals[seq] = append(l.arrivals[seq], now)
		l.attempts[seq] = append(l.attempts[seq], r.Header.Get("X-Attempt"))
		fail := l.always || len(l.arrivals[seq]) == 1
		if fail && len(l.arrivals[seq]) == 1 {
			l.first503[seq] = time.Now() // before the write: the client reads it later
		}
		l.mu.Unlock()
		if fail {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(srv.Close)
	return l, srv.URL
}

// attemptSet is the one request with X-Seq: {{seq}} and X-Attempt: {{attempt}}.
func attemptSet(t *testing.T, base string) *mix.Set {
	t.Helper()
	s, err := mix.Build(mix.Spec{Base: base, Seed: 7, Requests: []profile.Request{{Weight: 1, URL: "/",
		Headers: []profile.Header{{Name: "X-Seq", Value: "{{seq}}"}, {Name: "X-Attempt", Value: "{{attempt}}"}}}}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func policy(t *testing.T, on string, maxN int, backoff string, honor bool, budget float64) retry.Policy {
	t.Helper()
	p := retry.Default()
	var err error
	if p.On, err = retry.ParseSet(on); err != nil {
		t.Fatal(err)
	}
	if p.BackoffMin, p.BackoffMax, err = retry.ParseBackoff(backoff); err != nil {
		t.Fatal(err)
	}
	p.Max, p.HonorRetryAfter, p.BudgetPercent = maxN, honor, budget
	return p
}

// checkAttempts asserts the attempt invariants in every stage and the
// total, and that the windows' attempts add up to the total's.
func checkAttempts(t *testing.T, rec *Recording) {
	t.Helper()
	for _, s := range append(slices.Clone(rec.Stages), rec.Total) {
		if s.Attempts == nil || s.Amplification == nil || s.GoodputRPS == nil {
			t.Fatalf("stage %q: no attempts", s.Name)
		}
		if !s.AttemptsConserved() {
			t.Errorf("stage %q: attempts not conserved: %+v, sent %d", s.Name, *s.Attempts, s.Sent)
		}
	}
	var first, count int64
	for _, w := range rec.Timeline {
		if w.Attempts == nil {
			t.Fatalf("window %.0f: no attempts", w.TS)
		}
		first += w.Attempts.First
		count += w.Attempts.Count
	}
	if a := rec.Total.Attempts; first != rec.Total.Sent || count != a.Count {
		t.Errorf("windows: %d first attempts, %d attempts; total: %d sent, %d attempts", first, count, rec.Total.Sent, a.Count)
	}
}

// TestRetryHonorsRetryAfter is issue #17's acceptance in every mode: with
// 503 + Retry-After: 1 to each request's first attempt, every request is
// retried exactly once ({{attempt}} 1, same {{seq}}), never sooner than 1 s
// after its 503 was written (a causal bound: the client reads the 503 after
// the server wrote it, then waits at least 1 s), all end 200, attempts are
// twice the scheduled count and amplification is 2.
func TestRetryHonorsRetryAfter(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			lg, u := newRetryLog(t, false)
			rs := runSpec{segs: []schedule.Segment{{Duration: 500 * time.Millisecond, From: 60, To: 60}}, kind: schedule.Poisson, seed: 5,
				mode: mode, requests: attemptSet(t, u), retry: policy(t, "503", 3, "100ms..5s", true, 0)}
			rec, _ := runAgainst(t, context.Background(), u, rs)
			checkConservation(t, rec)
			checkAttempts(t, rec)
			n, a := rec.Total.Scheduled, rec.Total.Attempts
			if n == 0 || rec.Total.Sent != n || rec.Total.Status["200"] != n {
				t.Fatalf("scheduled %d, sent %d, status %v: want every request to end 200", n, rec.Total.Sent, rec.Total.Status)
			}
			if a.Count != 2*n || a.Retries != n || a.Status["503"] != n || a.Status["200"] != n || *rec.Total.Amplification != 2 {
				t.Errorf("attempts %+v, amplification %v; want %d attempts, %d retries", *a, *rec.Total.Amplification, 2*n, n)
			}
			// The histogram reports the bottom of the least value's bucket
			// (up to 0.05% below it): a latency of 1 s or more reads as at
			// least the bottom of 1 s's bucket.
			if low := hdrBottom(time.Second); rec.Total.Latency.Min < low {
				t.Errorf("a request ended %.6fs after its intended time (below %.6fs, the bottom of 1 s's bucket): it did not wait out Retry-After", rec.Total.Latency.Min, low)
			}
			if len(rec.Warnings) == 0 || !strings.Contains(strings.Join(rec.Warnings, "\n"), "client retries: the run went on") {
				t.Errorf("warnings %q: want the retries' overrun said", rec.Warnings)
			}
			lg.mu.Lock()
			defer lg.mu.Unlock()
			if len(lg.bad) > 0 || int64(len(lg.arrivals)) != n {
				t.Fatalf("%d seqs for %d requests (bad %q)", len(lg.arrivals), n, lg.bad)
			}
			var minGap time.Duration = time.Hour
			for seq, at := range lg.arrivals {
				if len(at) != 2 || !slices.Equal(lg.attempts[seq], []string{"0", "1"}) {
					t.Fatalf("seq %d: %d requests, attempts %q; want one retry", seq, len(at), lg.attempts[seq])
				}
				minGap = min(minGap, at[1].Sub(lg.first503[seq]))
			}
			if minGap < time.Second {
				t.Errorf("a retry came %v after its 503 (Retry-After: 1)", minGap)
			}
			t.Logf("%d requests, %d attempts, the earliest retry %v after its 503, elapsed %v", n, a.Count, minGap, rec.Elapsed)
		})
	}
}

// TestRetryIgnoresRetryAfter: with Retry-After ignored and backoff
// 10ms..20ms the first retry waits a draw in [0, 10ms). The bound on the
// gap between the 503's write and the retry's arrival is that ceiling
// plus the client's own delays, measured in this run: the response leg and
// the retry's send lag and request leg are each of the size of a first
// attempt's lateness at the server (send lag + request leg), δ, so the
// median gap must be at most 10ms + 2·q90(δ); and no retry may wait the
// 1 s Retry-After.
func TestRetryIgnoresRetryAfter(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			lg, u := newRetryLog(t, false)
			rs := runSpec{segs: []schedule.Segment{{Duration: 500 * time.Millisecond, From: 60, To: 60}}, kind: schedule.Poisson, seed: 6,
				mode: mode, requests: attemptSet(t, u), retry: policy(t, "503", 3, "10ms..20ms", false, 0)}
			rec, start := runAgainst(t, context.Background(), u, rs)
			checkConservation(t, rec)
			checkAttempts(t, rec)
			n := rec.Total.Scheduled
			if rec.Total.Status["200"] != n || rec.Total.Attempts.Retries != n {
				t.Fatalf("status %v, attempts %+v: want every request retried once and ending 200", rec.Total.Status, *rec.Total.Attempts)
			}
			intended := map[int64]time.Duration{}
			s, err := schedule.New(rs.segs, rs.kind, schedule.NewRand(rs.seed), uint64(rs.seed), schedule.Shard{})
			if err != nil {
				t.Fatal(err)
			}
			for a, ok := s.Next(); ok; a, ok = s.Next() {
				intended[a.Seq] = a.At
			}
			lg.mu.Lock()
			defer lg.mu.Unlock()
			var gaps, lateness []time.Duration
			for seq, at := range lg.arrivals {
				if len(at) != 2 {
					t.Fatalf("seq %d: %d requests", seq, len(at))
				}
				gaps = append(gaps, at[1].Sub(lg.first503[seq]))
				lateness = append(lateness, at[0].Sub(start)-intended[seq])
			}
			ceiling := rs.retry.BackoffMin
			bound := ceiling + 2*quantile(lateness, 0.9)
			med, most := quantile(gaps, 0.5), slices.Max(gaps)
			if med > bound || most >= time.Second {
				t.Errorf("retry gaps: median %v (bound %v = %v + 2·q90 lateness), max %v (Retry-After 1s must be ignored)", med, bound, ceiling, most)
			}
			t.Logf("retry gaps: median %v, p90 %v, max %v; first-attempt lateness q90 %v", med, quantile(gaps, 0.9), most, quantile(lateness, 0.9))
		})
	}
}

// TestRetryBudget: against a target that always answers 503, a 20% budget
// lets at most 20% of the first attempts be retried (the run is shorter
// than the bucket's 10 s window, so its capacity adds nothing: every token
// spent was deposited in the run), and every due retry it refused is
// counted: each request whose retries stopped short of the maximum ended
// with one retry denied or not sent.
func TestRetryBudget(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			lg, u := newRetryLog(t, true)
			rs := runSpec{segs: []schedule.Segment{{Duration: 500 * time.Millisecond, From: 200, To: 200}}, kind: schedule.Poisson, seed: 8,
				mode: mode, requests: attemptSet(t, u), retry: policy(t, "503", 3, "10ms..20ms", false, 20)}
			rec, _ := runAgainst(t, context.Background(), u, rs)
			checkConservation(t, rec)
			checkAttempts(t, rec)
			n, a := rec.Total.Sent, rec.Total.Attempts
			if rec.Total.Status["503"] != n || a.Status["503"] != a.Count {
				t.Fatalf("status %v, attempts %+v: want every attempt and request to end 503", rec.Total.Status, *a)
			}
			if a.Retries > n*20/100 || a.BudgetDenied == 0 {
				t.Errorf("%d retries of %d first attempts (budget 20%%: at most %d), %d denied", a.Retries, n, n*20/100, a.BudgetDenied)
			}
			lg.mu.Lock()
			defer lg.mu.Unlock()
			var full, total int64
			for _, at := range lg.arrivals {
				total += int64(len(at))
				if len(at) == 1+rs.retry.Max {
					full++
				}
			}
			if total != a.Count || a.BudgetDenied+a.NotSent != n-full {
				t.Errorf("server saw %d attempts, client counted %d; denied %d + not sent %d, want %d (requests short of %d retries)",
					total, a.Count, a.BudgetDenied, a.NotSent, n-full, rs.retry.Max)
			}
			t.Logf("%d requests, %d retries, %d denied, %d not sent", n, a.Retries, a.BudgetDenied, a.NotSent)
		})
	}
}

// TestRetryInterrupt: an interrupt while retries wait out a Retry-After of
// 1 s ends each of those requests with its last outcome (503) at once:
// every request and attempt is accounted for, no retry is sent, and the
// run does not wait for the retries (they were due at least 1 s after a
// 503; the run stops at 300 ms plus the grace its in-flight requests take).
func TestRetryInterrupt(t *testing.T) {
	for _, mode := range modes {
		t.Run("mode="+mode, func(t *testing.T) {
			_, u := newRetryLog(t, false)
			rs := runSpec{segs: []schedule.Segment{{Duration: time.Second, From: 60, To: 60}}, kind: schedule.Poisson, seed: 9,
				mode: mode, requests: attemptSet(t, u), retry: policy(t, "503", 3, "100ms..5s", true, 0)}
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			rec, _ := runAgainst(t, ctx, u, rs)
			if !rec.Interrupted {
				t.Fatal("not interrupted")
			}
			checkConservation(t, rec)
			checkAttempts(t, rec)
			a := rec.Total.Attempts
			if a.Retries != 0 || rec.Total.Status["503"]+rec.Total.ErrorCount() != rec.Total.Sent || rec.Total.Sent == 0 {
				t.Errorf("sent %d, status %v, attempts %+v: want no retry, every request ending with its 503", rec.Total.Sent, rec.Total.Status, *a)
			}
			if rec.Elapsed >= time.Second {
				t.Errorf("the run lasted %v: it waited for retries after the interrupt", rec.Elapsed)
			}
		})
	}
}
