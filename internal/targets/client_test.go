package targets

import (
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	prommodel "github.com/prometheus/common/model"
)

// A minimal open-loop client for these tests (the real engine lives in
// internal/openloop). Send times are computed from the start, never by
// adding up sleeps, and each request runs on its own goroutine, so a slow
// target never delays later sends.

// shot is one request's record. Times are offsets from the run's start.
type shot struct {
	sched   time.Duration // intended send time
	sent    time.Duration // actual send time
	done    time.Duration // response read (or error)
	status  int           // 0 on a transport error
	err     error
	timing  string // Server-Timing header
	retryAf string // Retry-After header
}

// latency is measured from the intended send time (no coordinated omission).
func (s shot) latency() time.Duration { return s.done - s.sched }

// newTestClient has no hidden client-side queue: the idle pool is as large
// as the concurrency these tests reach (the default of 2 per host would
// close and re-dial connections above 2 in flight).
func newTestClient() (*http.Client, func()) {
	tr := &http.Transport{
		MaxIdleConns:        4096,
		MaxIdleConnsPerHost: 4096,
		DisableCompression:  true,
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, tr.CloseIdleConnections
}

// poissonSchedule returns send offsets of a Poisson process of rate
// lambda (per second) over dur: seeded exponential gaps, accumulated in
// float seconds from the start.
func poissonSchedule(lambda float64, dur time.Duration, seed uint64) []time.Duration {
	r := rand.New(rand.NewPCG(seed, 0xb10ad))
	var out []time.Duration
	for at := r.ExpFloat64() / lambda; at < dur.Seconds(); at += r.ExpFloat64() / lambda {
		out = append(out, time.Duration(at*float64(time.Second)))
	}
	return out
}

// fire sends GET url at every offset of sched and waits for all responses.
//
// Each request sleeps on its own timer, started a little ahead by a
// dispatcher. A single dispatcher that sleeps until each send time and then
// fires would clump sends whenever it oversleeps (all sends already due go
// out back-to-back): measured here, that turned Poisson gaps (SCV 1) into
// SCV ≈ 1.3–1.4 and raised an Erlang-B 503 ratio by ~0.02. Independent
// per-request timer errors only displace points, which keeps a Poisson
// process Poisson.
func fire(t testing.TB, url string, sched []time.Duration) []shot {
	t.Helper()
	const ahead = 20 * time.Millisecond
	client, closeIdle := newTestClient()
	defer closeIdle()
	shots := make([]shot, len(sched))
	var wg sync.WaitGroup
	start := time.Now()
	for i, at := range sched {
		if d := time.Until(start.Add(at - ahead)); d > 0 {
			time.Sleep(d)
		}
		shots[i].sched = at
		wg.Add(1)
		go func(s *shot) {
			defer wg.Done()
			if d := time.Until(start.Add(s.sched)); d > 0 {
				time.Sleep(d)
			}
			s.sent = time.Since(start)
			resp, err := client.Get(url)
			if err != nil {
				s.err, s.done = err, time.Since(start)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			s.done = time.Since(start)
			s.status = resp.StatusCode
			s.timing = resp.Header.Get("Server-Timing")
			s.retryAf = resp.Header.Get("Retry-After")
		}(&shots[i])
	}
	wg.Wait()
	return shots
}

// countStatus counts 200s, 503s and everything else (errors included).
func countStatus(shots []shot) (ok, unavailable, other int) {
	for _, s := range shots {
		switch s.status {
		case http.StatusOK:
			ok++
		case http.StatusServiceUnavailable:
			unavailable++
		default:
			other++
		}
	}
	return
}

// parseServerTiming reads the "name;dur=MS" entries of a Server-Timing
// header into seconds. Test helper; fuzzed against serverTiming.
func parseServerTiming(h string) (map[string]float64, bool) {
	out := map[string]float64{}
	for entry := range strings.SplitSeq(h, ",") {
		name, params, ok := strings.Cut(strings.TrimSpace(entry), ";")
		if !ok || name == "" {
			return nil, false
		}
		v, ok := strings.CutPrefix(strings.TrimSpace(params), "dur=")
		if !ok {
			return nil, false
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || f < 0 || math.IsInf(f, 0) || math.IsNaN(f) {
			return nil, false
		}
		out[name] = f / 1000
	}
	return out, true
}

// scrape fetches and parses url+"/metrics" with the text parser.
func scrape(t testing.TB, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("metrics Content-Type %q", ct)
	}
	p := expfmt.NewTextParser(prommodel.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return mfs
}

// value is the single gauge or counter value of family name.
func value(t testing.TB, mfs map[string]*dto.MetricFamily, name string) float64 {
	t.Helper()
	mf, ok := mfs[name]
	if !ok || len(mf.GetMetric()) != 1 {
		t.Fatalf("metric %s missing or not single", name)
	}
	m := mf.GetMetric()[0]
	switch mf.GetType() {
	case dto.MetricType_GAUGE:
		return m.GetGauge().GetValue()
	case dto.MetricType_COUNTER:
		return m.GetCounter().GetValue()
	}
	t.Fatalf("metric %s has type %v", name, mf.GetType())
	return 0
}

// quantile is the p-quantile (nearest rank) of xs.
func quantile(xs []float64, p float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return math.NaN()
	}
	i := int(math.Ceil(p*float64(len(s)))) - 1
	return s[max(i, 0)]
}

func mean(xs []float64) float64 {
	var sum float64
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

func TestParseServerTiming(t *testing.T) {
	got, ok := parseServerTiming(serverTiming(1500*time.Microsecond, 10*time.Millisecond+4*time.Microsecond, 0))
	near := func(a, b float64) bool { return math.Abs(a-b) < 1e-12 }
	if !ok || !near(got["queue"], 0.0015) || !near(got["svc"], 0.010004) || len(got) != 2 {
		t.Fatalf("parsed %v, %v", got, ok)
	}
	got, ok = parseServerTiming(serverTiming(0, 120*time.Millisecond, 100*time.Millisecond))
	if !ok || !near(got["stall"], 0.1) || got["queue"] != 0 {
		t.Fatalf("parsed %v, %v", got, ok)
	}
}

func FuzzServerTimingRoundTrip(f *testing.F) {
	f.Add(uint64(0), uint64(10_000_000), uint64(0))
	f.Add(uint64(1), uint64(1), uint64(1))
	f.Fuzz(func(t *testing.T, q, s, st uint64) {
		dur := func(x uint64) time.Duration { return time.Duration(x % (1 << 50)) } // < 13 days
		wq, svc, stall := dur(q), dur(s), dur(st)
		h := serverTiming(wq, svc, stall)
		got, ok := parseServerTiming(h)
		if !ok {
			t.Fatalf("%q does not parse", h)
		}
		// Microsecond resolution: each value within half a microsecond.
		for name, want := range map[string]time.Duration{"queue": wq, "svc": svc} {
			if math.Abs(got[name]-want.Seconds()) > 0.5e-6+1e-15*want.Seconds() {
				t.Fatalf("%q: %s = %v, want %v", h, name, got[name], want.Seconds())
			}
		}
		if _, has := got["stall"]; has != (stall > 0) {
			t.Fatalf("%q: stall entry present = %v for stall %v", h, has, stall)
		}
	})
}
