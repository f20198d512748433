package openloop

import (
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestWindowSharesAll2xx: a window whose responses were all 2xx keeps one
// encoding of its latency histogram for both latency and latency_2xx (the
// same text, stored once: TestSpillStoresRepeatOnce); a window with a 503
// keeps two, the 2xx one without the 503. Both are in the run's spill.
func TestWindowSharesAll2xx(t *testing.T) {
	s, err := schedule.New([]schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 100}}, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	r := newRecorder(s, 1, func(x string) string { return x })
	for i := 0; ; i++ {
		a, ok := s.Next()
		if !ok {
			break
		}
		resp := Response{Status: 200, ServerQueue: -1, ServerService: -1}
		if a.At >= time.Second && i%10 == 0 {
			resp.Status = 503
		}
		r.scheduled(0, a)
		r.sent(a, a.At)
		r.done(a, a.At, a.At+time.Duration(1+i)*time.Millisecond, &resp, 0)
	}
	for i := range r.windows {
		r.compactWindow(&r.windows[i])
	}
	count := func(enc string) int64 {
		h, err := result.DecodeHist(enc)
		if err != nil {
			t.Fatal(err)
		}
		return h.TotalCount()
	}
	load := func(w *acc) result.WindowHDR {
		if !w.hdr.Spilled() {
			t.Errorf("window at %v: its histograms are not in the spill", w.start)
		}
		h, err := w.hdr.Load()
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	w0, w1 := &r.windows[0], &r.windows[1]
	h0, h1 := load(w0), load(w1)
	if h0.Latency2xx != h0.Latency {
		t.Errorf("all-2xx window: latency_2xx is not the latency text")
	}
	if n := count(h0.Latency2xx); n != 100 {
		t.Errorf("all-2xx window: latency_2xx count %d, want 100", n)
	}
	if n, n2 := count(h1.Latency), count(h1.Latency2xx); n != 100 || n2 != 90 {
		t.Errorf("window with 503s: latency count %d, latency_2xx %d; want 100 and 90", n, n2)
	}
	if w1.lat.Count != 100 || w0.lat.Count != 100 {
		t.Errorf("latency summaries count %d and %d, want 100 each", w0.lat.Count, w1.lat.Count)
	}
}
