package capacity

import (
	"context"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/result"
)

// fakeClock is the search's time in tests: it moves only when the fake
// target runs a segment or the search sleeps.
type fakeClock struct{ t time.Time }

func newFakeClock() *fakeClock {
	return &fakeClock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time { return c.t }

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.t = c.t.Add(d)
	return nil
}

// fakeTarget answers segments with synthetic recordings: at rate r, in
// batches of evenly spaced requests, each is turned away with
// probability block(r) (a 503 of 100µs, or a timeout), else a 200 whose
// latency is 100µs plus an exponential of mean svc(r) (2 ms by default).
// Segment k is seeded k, so a search against it is deterministic. With
// latency set, the latency histograms are recorded (the search reads no
// others); without, only the counts (enough for ratio SLOs, and far
// cheaper under -race).
type fakeTarget struct {
	latency bool
	block   func(rate float64) float64
	svc     func(rate float64) time.Duration
	// grow, if set, is how fast the mean service time grows at a rate,
	// relative, per second of the measured part (a queue without bound).
	grow func(rate float64) float64
	// timeouts: requests turned away time out instead of getting a 503.
	timeouts bool
	// genLimit, if > 0, is the fastest the fake generator sends: above
	// it, the excess is not sent.
	genLimit float64
	clock    *fakeClock
	runs     []Segment
	onRun    func(s Segment) // called first (a test cancels its context here)
}

func (f *fakeTarget) Run(ctx context.Context, s Segment) (*Measured, error) {
	f.runs = append(f.runs, s)
	if f.onRun != nil {
		f.onRun(s)
	}
	f.clock.t = f.clock.t.Add(s.Warmup + s.Measure)
	rng := rand.New(rand.NewPCG(uint64(s.Seq), 0x66616b65))
	rej, svc, grow := 0.0, 2*time.Millisecond, 0.0
	if f.block != nil {
		rej = min(1, f.block(s.Rate))
	}
	if f.svc != nil {
		svc = f.svc(s.Rate)
	}
	if f.grow != nil {
		grow = f.grow(s.Rate)
	}
	m := &Measured{Interrupted: ctx.Err() != nil, Target: result.Target{URL: "http://127.0.0.1:1/", Method: "GET"}}
	if rej > 0 && !f.timeouts {
		m.Samples = &result.Samples{Responses: map[string]result.ResponseSample{
			"503": {Headers: map[string]string{"Retry-After": "1"}}}}
	}
	part := s.Measure.Seconds() / float64(s.Batches)
	var prev result.Stage
	for i := range s.Batches {
		mean := float64(svc) * (1 + grow*float64(i)*part)
		// Histograms are costly to encode (most of all under -race): with
		// latencies and nothing growing, every batch of a segment is a
		// copy of its first.
		st := prev
		if i == 0 || !f.latency || grow != 0 {
			var err error
			if st, err = fakeBatch(rng, int64(math.Round(s.Rate*part)), rej, f.timeouts, mean, f.latency); err != nil {
				return nil, err
			}
			prev = st
		}
		st.Status, st.Errors = copyCounts(st.Status), copyCounts(st.Errors)
		if f.genLimit > 0 && s.Rate > f.genLimit {
			st.NotSent = int64(float64(st.Scheduled) * (1 - f.genLimit/s.Rate))
			st.Sent -= st.NotSent
			st.Completed -= st.NotSent
			st.Status["200"] -= st.NotSent
		}
		st.StartS, st.EndS, st.OfferedRPS = float64(i)*part, float64(i+1)*part, s.Rate
		st.AchievedRPS, st.ThroughputRPS = float64(st.Sent)/part, float64(st.Status["200"])/part
		m.Batches = append(m.Batches, st)
	}
	return m, nil
}

func copyCounts(m map[string]int64) map[string]int64 {
	out := make(map[string]int64, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// fakeBatch draws n requests' outcomes (mean: the 200s' exponential part, ns).
func fakeBatch(rng *rand.Rand, n int64, rej float64, timeouts bool, mean float64, latency bool) (result.Stage, error) {
	st := result.Stage{Scheduled: n, Sent: n, Completed: n, Status: map[string]int64{},
		Errors: map[string]int64{"timeout": 0, "connect": 0, "reset": 0, "other": 0, "canceled": 0}}
	h, h2 := result.NewHistogram(), result.NewHistogram()
	record := func(h *hdr.Histogram, v int64) error {
		if !latency {
			return nil
		}
		return h.RecordValue(v)
	}
	for range n {
		turned := rng.Float64() < rej
		switch {
		case turned && timeouts:
			st.Errors["timeout"]++
		case turned:
			st.Status["503"]++
			if err := record(h, 100_000); err != nil {
				return st, err
			}
		default:
			st.Status["200"]++
			v := result.ClampNS(100_000 + int64(rng.ExpFloat64()*mean))
			if err := record(h, v); err != nil {
				return st, err
			}
			if err := record(h2, v); err != nil {
				return st, err
			}
		}
	}
	if !latency {
		return st, nil
	}
	st.Latency, st.Latency2xx = result.Summarize(h), result.Summarize(h2)
	st.ServiceTime = st.Latency
	var err error
	if st.HDR.Latency, err = result.EncodeHist(h); err != nil {
		return st, err
	}
	if st.HDR.Latency2xx, err = result.EncodeHist(h2); err != nil {
		return st, err
	}
	st.HDR.ServiceTime = st.HDR.Latency
	return st, nil
}

// mustParse parses SLOs.
func mustParse(t testing.TB, ss ...string) []assert.Expr {
	t.Helper()
	es, err := assert.ParseAll(ss)
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// stageFrom builds a stage of the given 200 latencies and n503 fast 503s
// over length seconds.
func stageFrom(t testing.TB, lat []time.Duration, n503 int64, length float64) result.Stage {
	t.Helper()
	h, h2 := result.NewHistogram(), result.NewHistogram()
	record := func(h *hdr.Histogram, d time.Duration) {
		if err := h.RecordValue(int64(d)); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range lat {
		record(h, d)
		record(h2, d)
	}
	for range n503 {
		record(h, 100*time.Microsecond)
	}
	n := int64(len(lat)) + n503
	st := result.Stage{
		EndS: length, Scheduled: n, Sent: n, Completed: n,
		Status: map[string]int64{"200": int64(len(lat)), "503": n503},
		Errors: map[string]int64{"timeout": 0, "connect": 0, "reset": 0, "other": 0, "canceled": 0},
	}
	if length > 0 {
		st.ThroughputRPS = float64(len(lat)) / length
		st.AchievedRPS = float64(n) / length
	}
	st.Latency, st.Latency2xx, st.ServiceTime = result.Summarize(h), result.Summarize(h2), result.Summarize(h)
	var err error
	for _, e := range []struct {
		dst *string
		h   *hdr.Histogram
	}{{&st.HDR.Latency, h}, {&st.HDR.Latency2xx, h2}, {&st.HDR.ServiceTime, h}} {
		if *e.dst, err = result.EncodeHist(e.h); err != nil {
			t.Fatal(err)
		}
	}
	return st
}
