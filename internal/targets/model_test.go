package targets

import (
	"math"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/dist"
)

func ms(n float64) time.Duration { return time.Duration(n * float64(time.Millisecond)) }

func testModel(t *testing.T, workers, queue int, p Policy) model {
	t.Helper()
	cfg := Config{Workers: workers, Queue: queue, Policy: p,
		Service: dist.Dist{Kind: dist.Deterministic, Mean: 0.010}}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	return newModel(cfg)
}

// Admission is decided at arrival from N = in service + waiting against
// K = c + queue slots (not against the queue slots alone: the K-vs-Q trap).
func TestModelAdmitsUpToCPlusQueue(t *testing.T) {
	m := testModel(t, 2, 3, Reject)
	var tickets []*ticket
	want := []outcome{started, started, queued, queued, queued, rejected, rejected}
	for i, w := range want {
		tk, got := m.arrive(ms(float64(i)))
		if got != w {
			t.Fatalf("arrival %d: outcome %v, want %v (N=%d)", i, got, w, m.inSystem())
		}
		if tk != nil {
			tickets = append(tickets, tk)
		}
	}
	if m.busy != 2 || m.waiting.len() != 3 || m.rejected != 2 {
		t.Fatalf("busy %d waiting %d rejected %d, want 2 3 2", m.busy, m.waiting.len(), m.rejected)
	}
	// Completing the first hands its worker to the oldest waiter (FIFO),
	// which starts at the completion instant.
	if !m.complete(tickets[0], ms(10)) {
		t.Fatal("complete returned false on an open model")
	}
	select {
	case <-tickets[2].ready:
	default:
		t.Fatal("oldest waiter was not signalled")
	}
	if tickets[2].started != ms(10) {
		t.Fatalf("handed-off ticket started at %v, want 10ms", tickets[2].started)
	}
	for _, tk := range tickets[3:] {
		if len(tk.ready) != 0 {
			t.Fatal("a younger waiter was signalled before the oldest")
		}
	}
	// One slot freed: exactly one more arrival fits.
	if _, got := m.arrive(ms(11)); got != queued {
		t.Fatalf("after a completion: %v, want queued", got)
	}
	if _, got := m.arrive(ms(11)); got != rejected {
		t.Fatalf("full again: %v, want rejected", got)
	}
}

func TestModelQueueZeroIsErlangLoss(t *testing.T) {
	m := testModel(t, 1, 0, Reject)
	if _, o := m.arrive(0); o != started {
		t.Fatalf("first: %v", o)
	}
	if _, o := m.arrive(1); o != rejected {
		t.Fatalf("second with c=1, queue=0: %v, want rejected", o)
	}
}

func TestModelUnboundedNeverRejects(t *testing.T) {
	m := testModel(t, 2, 0, Unbounded)
	for i := range 10000 {
		if _, o := m.arrive(time.Duration(i)); o == rejected {
			t.Fatalf("arrival %d rejected under unbounded", i)
		}
	}
	if m.busy != 2 || m.waiting.len() != 9998 {
		t.Fatalf("busy %d waiting %d", m.busy, m.waiting.len())
	}
}

// The integrals are exact areas under the step functions, and equal the
// sums of the per-request times they are made of.
func TestModelAreasAreExact(t *testing.T) {
	m := testModel(t, 1, 5, Reject)
	a, _ := m.arrive(ms(0))  // busy 1
	b, _ := m.arrive(ms(2))  // queue 1
	c, _ := m.arrive(ms(4))  // queue 2
	m.complete(a, ms(10))    // b starts at 10: queue 1
	m.complete(b, ms(13))    // c starts at 13: queue 0
	m.complete(c, ms(20))    // idle
	st := m.snapshot(ms(30)) // idle tail adds nothing
	// busy: 1 on [0,20) = 0.020; queue: 1 on [2,4), 2 on [4,10), 1 on [10,13) = 0.002+0.012+0.003
	near := func(name string, got, want float64) {
		t.Helper()
		if math.Abs(got-want) > 1e-12 {
			t.Errorf("%s = %.15g, want %.15g", name, got, want)
		}
	}
	near("busy area", st.BusyWorkerSeconds, 0.020)
	near("queue area", st.QueueDepthSeconds, 0.017)
	near("in-flight area", st.InFlightSeconds, 0.037)
	near("Σ service", st.ServiceSeconds, st.BusyWorkerSeconds)
	near("Σ wait", st.QueueWaitSeconds, st.QueueDepthSeconds)
	near("Σ nominal", st.NominalServiceSeconds, 0.030) // det:10ms ×3
	if st.Served != 3 || st.Started != 3 || st.InFlight != 0 {
		t.Errorf("served %d started %d in flight %d", st.Served, st.Started, st.InFlight)
	}
}

func TestModelAbortCountsEverythingInside(t *testing.T) {
	m := testModel(t, 1, 2, Reject)
	a, _ := m.arrive(0)
	m.arrive(1)
	m.abort(ms(5))
	m.abort(ms(6)) // idempotent
	if m.aborted != 2 || m.inSystem() != 0 {
		t.Fatalf("aborted %d in system %d", m.aborted, m.inSystem())
	}
	if m.complete(a, ms(7)) {
		t.Fatal("complete after abort returned true")
	}
	if _, o := m.arrive(ms(8)); o != closing {
		t.Fatalf("arrival after abort: %v", o)
	}
	if m.served != 0 {
		t.Fatalf("served %d after abort", m.served)
	}
}

// The same seed gives the same service times in order of service start.
func TestModelSeeded(t *testing.T) {
	draw := func(seed uint64) []time.Duration {
		m := newModel(Config{Workers: 1000, Seed: seed,
			Service: dist.Dist{Kind: dist.Exponential, Mean: 0.01}})
		var out []time.Duration
		for range 20 {
			tk, _ := m.arrive(0)
			out = append(out, tk.nominal)
		}
		return out
	}
	a, b, c := draw(7), draw(7), draw(8)
	same := func(x, y []time.Duration) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Error("same seed, different service times")
	}
	if same(a, c) {
		t.Error("different seeds, same service times")
	}
}

func TestFIFOOrderAcrossCompaction(t *testing.T) {
	var q fifo
	next, want := 0, 0
	for round := range 50 {
		for range 100 + round {
			q.push(&ticket{arrived: time.Duration(next)})
			next++
		}
		for range 90 {
			if got := q.pop().arrived; got != time.Duration(want) {
				t.Fatalf("popped %v, want %v", got, want)
			}
			want++
		}
	}
	if q.len() != next-want {
		t.Fatalf("len %d, want %d", q.len(), next-want)
	}
	if cap(q.buf) > 8*q.len()+1024 {
		t.Fatalf("buffer grew to %d for %d items", cap(q.buf), q.len())
	}
}

func TestHistogramBounds(t *testing.T) {
	if len(histBounds)+1 != len1Bounds {
		t.Fatalf("len1Bounds = %d, want %d", len1Bounds, len(histBounds)+1)
	}
	var h histogram
	for _, v := range []float64{0, 1e-5, 1.5e-5, 0.01, 100} {
		h.observe(v)
	}
	cum := h.cumulative()
	if cum[0] != 2 || cum[1] != 3 { // 0 and 1e-5 in le=1e-5; 1.5e-5 in le=2e-5
		t.Fatalf("cumulative %v", cum[:3])
	}
	if h.counts[len1Bounds-1] != 1 || h.count != 5 {
		t.Fatalf("+Inf %d count %d", h.counts[len1Bounds-1], h.count)
	}
}
