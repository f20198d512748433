package targets

import (
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

const milli = time.Millisecond

func mustModel(t *testing.T, cfg Config) model {
	t.Helper()
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return newModel(cfg)
}

// Deadline: a queued request leaves at its deadline exactly, in model time,
// whoever advances the model; the next worker goes to the oldest request
// still waiting; the queue-depth integral counts each wait to its end.
func TestDeadlineModel(t *testing.T) {
	m := mustModel(t, Config{Workers: 1, Service: mustDist(t, "det:10ms"), Policy: Deadline, QueueTimeout: 20 * milli})
	first, out := m.arrive(0)
	if out != started {
		t.Fatalf("first: %v, want started", out)
	}
	second, _ := m.arrive(1 * milli)
	third, out := m.arrive(2 * milli)
	if out != queued {
		t.Fatalf("third: %v, want queued (no bound on the waiting room)", out)
	}
	m.advance(21 * milli) // the second's deadline is 21 ms, the third's 22 ms
	if !second.expired || third.expired || m.timedOut != 1 || m.waiting.len() != 1 {
		t.Fatalf("at 21 ms: second expired %v, third expired %v, timed out %d, waiting %d; want true, false, 1, 1",
			second.expired, third.expired, m.timedOut, m.waiting.len())
	}
	select {
	case <-second.ready: // its handler is woken to answer 503
	default:
		t.Error("the expired request was not signalled")
	}
	if !m.complete(first, 21500*time.Microsecond) || third.started != 21500*time.Microsecond {
		t.Errorf("the freed worker should take the third at 21.5 ms, started %v", third.started)
	}
	// Queue depth: 1 on [1, 2) ms, 2 on [2, 21) ms, 1 on [21, 21.5) ms.
	if want := 0.001 + 2*0.019 + 0.0005; math.Abs(m.queueArea-want) > 1e-12 {
		t.Errorf("queue area %.6g, want %.6g", m.queueArea, want)
	}
	if st := m.snapshot(22 * milli); st.TimedOut != 1 || st.Rejected != 0 || st.Limit != -1 {
		t.Errorf("stats: timed out %d, rejected %d, limit %d; want 1, 0, -1", st.TimedOut, st.Rejected, st.Limit)
	}
}

// Deadline through the handler, on synctest's fake clock: with one worker
// busy for 100 ms, a request arriving 1 ms later is answered 503 with
// Retry-After exactly at its 20 ms deadline, and the first gets its 200.
func TestDeadlineHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		s, err := New(Config{Workers: 1, Service: mustDist(t, "det:100ms"), Policy: Deadline, QueueTimeout: 20 * milli})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		var wg sync.WaitGroup
		codes := make([]int, 2)
		ends := make([]time.Duration, 2)
		recs := make([]*httptest.ResponseRecorder, 2)
		for i := range 2 {
			wg.Go(func() {
				time.Sleep(time.Duration(i) * milli)
				recs[i] = httptest.NewRecorder()
				s.ServeHTTP(recs[i], httptest.NewRequest(http.MethodGet, "/", nil))
				codes[i], ends[i] = recs[i].Code, time.Since(t0)
			})
		}
		wg.Wait()
		if codes[0] != 200 || ends[0] != 100*milli {
			t.Errorf("first: %d at %v, want 200 at 100ms", codes[0], ends[0])
		}
		if codes[1] != 503 || ends[1] != 21*milli || recs[1].Header().Get("Retry-After") == "" {
			t.Errorf("second: %d at %v (Retry-After %q), want 503 at 21ms with Retry-After", codes[1], ends[1], recs[1].Header().Get("Retry-After"))
		}
		if st := s.Stats(); st.TimedOut != 1 || st.Served != 1 {
			t.Errorf("stats: timed out %d, served %d; want 1, 1", st.TimedOut, st.Served)
		}
	})
}

// RateLimit: a bucket of 2 tokens at 100/s admits two at once, refuses the
// third, has a whole token again 10 ms later and not 5 ms after that; the
// refused never reach the workers' queue.
func TestRateLimitModel(t *testing.T) {
	m := mustModel(t, Config{Workers: 4, Queue: 4, Service: mustDist(t, "det:10ms"), Policy: RateLimit, LimitRate: 100, Burst: 2})
	var outs []outcome
	for _, at := range []time.Duration{0, 0, 0, 10 * milli, 15 * milli} {
		_, out := m.arrive(at)
		outs = append(outs, out)
	}
	want := []outcome{started, started, limited, started, limited}
	for i := range want {
		if outs[i] != want[i] {
			t.Fatalf("outcomes %v, want %v", outs, want)
		}
	}
	if m.limited != 2 || m.rejected != 0 || m.inSystem() != 3 {
		t.Errorf("limited %d, rejected %d, in system %d; want 2, 0, 3", m.limited, m.rejected, m.inSystem())
	}
}

// RateLimit through the handler: the refusal's status is as configured
// (429 by default) with Retry-After in whole seconds.
func TestRateLimitStatus(t *testing.T) {
	for _, status := range []int{0, 429, 503} {
		s, err := New(Config{Workers: 1, Queue: 1, Service: mustDist(t, "det:1ms"), Policy: RateLimit, LimitRate: 0.5, Burst: 1, LimitStatus: status})
		if err != nil {
			t.Fatal(err)
		}
		var codes []int
		var retry string
		for range 2 {
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/", nil))
			codes = append(codes, rec.Code)
			retry = rec.Header().Get("Retry-After")
		}
		want := max(status, 429)
		if codes[0] != 200 || codes[1] != want {
			t.Errorf("status %d: codes %v, want [200 %d]", status, codes, want)
		}
		// The next token is ~2 s away at 0.5/s.
		if n, err := strconv.Atoi(retry); err != nil || n < 1 || n > 2 {
			t.Errorf("status %d: Retry-After %q, want 1 or 2", status, retry)
		}
		s.Close()
	}
}

// AIMD: the limit starts at c, grows by one after each limit-many requests
// served without a long wait, shrinks after one that waited longer than the
// target, admits while in system < limit and refuses beyond; the limit's
// time integral is exact.
func TestAIMDModel(t *testing.T) {
	m := mustModel(t, Config{Workers: 2, Queue: 4, Service: mustDist(t, "det:10ms"), Policy: AIMD, AIMDTarget: 5 * milli})
	if m.limit != 2 || m.ceiling != 6 {
		t.Fatalf("limit %d, ceiling %d; want 2, 6", m.limit, m.ceiling)
	}
	a, _ := m.arrive(0)
	m.arrive(0) // second success: limit 2 → 3
	if m.limit != 3 {
		t.Fatalf("after 2 quick starts the limit is %d, want 3", m.limit)
	}
	late, out := m.arrive(0)
	if out != queued {
		t.Fatalf("third: %v, want queued (in system 2 < limit 3)", out)
	}
	if _, out := m.arrive(1 * milli); out != rejected {
		t.Fatalf("fourth: %v, want rejected (in system 3 = limit)", out)
	}
	m.complete(a, 10*milli) // the third starts after waiting 10 ms > 5 ms
	if late.started != 10*milli || m.limit != 2 {
		t.Errorf("after a 10 ms wait the limit is %d, want ⌊3·0.9⌋ = 2", m.limit)
	}
	st := m.snapshot(20 * milli)
	// limit 2 on [0, 0], 3 on [0, 10) ms, 2 on [10, 20) ms.
	if want := 3*0.010 + 2*0.010; math.Abs(st.LimitSeconds-want) > 1e-12 || st.Limit != 2 || st.Rejected != 1 {
		t.Errorf("stats: limit seconds %.6g (want %.6g), limit %d, rejected %d", st.LimitSeconds, want, st.Limit, st.Rejected)
	}
	// Floor: never below 1.
	for range 10 {
		m.adapt(time.Second)
	}
	if m.limit != 1 {
		t.Errorf("after many slow requests the limit is %d, want 1", m.limit)
	}
}

func TestPolicyConfig(t *testing.T) {
	svc := mustDist(t, "exp:10ms")
	for _, tt := range []struct {
		cfg Config
		ok  bool
	}{
		{Config{Workers: 1, Service: svc, Policy: Deadline, QueueTimeout: milli}, true},
		{Config{Workers: 1, Service: svc, Policy: Deadline}, false},
		{Config{Workers: 1, Service: svc, QueueTimeout: milli}, false},
		{Config{Workers: 1, Service: svc, Policy: RateLimit, LimitRate: 200, Burst: 1}, true},
		{Config{Workers: 1, Service: svc, Policy: RateLimit, LimitRate: 200, Burst: 0.5}, false},
		{Config{Workers: 1, Service: svc, Policy: RateLimit, LimitRate: 200, Burst: 1, LimitStatus: 500}, false},
		{Config{Workers: 1, Service: svc, Policy: RateLimit, Burst: 1}, false},
		{Config{Workers: 1, Service: svc, Policy: AIMD}, true},
		{Config{Workers: 1, Service: svc, Policy: Policy(9)}, false},
	} {
		if err := tt.cfg.Validate(); (err == nil) != tt.ok {
			t.Errorf("%+v: error %v, want ok=%v", tt.cfg, err, tt.ok)
		}
	}
	for in, want := range map[string]Policy{"reject": Reject, "unbounded": Unbounded, "deadline": Deadline, "ratelimit": RateLimit, " AIMD ": AIMD} {
		p, err := ParsePolicy(in)
		if err != nil || p != want {
			t.Errorf("ParsePolicy(%q) = %v, %v; want %v", in, p, err, want)
		}
		if back, err := ParsePolicy(p.String()); err != nil || back != p {
			t.Errorf("%v does not round-trip: %v, %v", p, back, err)
		}
	}
	if _, err := ParsePolicy("lifo"); err == nil {
		t.Error("ParsePolicy(lifo): no error")
	}
	for _, tt := range []struct {
		cfg  Config
		want string
	}{
		{Config{Workers: 8, Service: svc, Policy: Deadline, QueueTimeout: milli}, "M/M/8+D"},
		{Config{Workers: 8, Queue: 8, Service: svc, Policy: RateLimit, LimitRate: 1, Burst: 1}, "TB → M/M/8/16"},
		{Config{Workers: 8, Queue: 8, Service: svc, Policy: AIMD}, "M/M/8/AIMD≤16"},
	} {
		if got := tt.cfg.Model(); got != tt.want {
			t.Errorf("Model() = %q, want %q", got, tt.want)
		}
	}
}
