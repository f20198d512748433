package openloop

import (
	"testing"
	"time"
	"unsafe"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestWindowSharesAll2xx: a window whose responses were all 2xx keeps one
// encoding of its latency histogram for both latency and latency_2xx (the
// same text, one copy in memory); a window with a 503 keeps two, the 2xx
// one without the 503.
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
		r.done(a, a.At, a.At+time.Duration(1+i)*time.Millisecond, &resp)
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
	w0, w1 := &r.windows[0], &r.windows[1]
	if w0.enc[hLatency2xx] != w0.enc[hLatency] || unsafe.StringData(w0.enc[hLatency2xx]) != unsafe.StringData(w0.enc[hLatency]) {
		t.Errorf("all-2xx window: latency_2xx is not the latency text shared")
	}
	if n := count(w0.enc[hLatency2xx]); n != 100 {
		t.Errorf("all-2xx window: latency_2xx count %d, want 100", n)
	}
	if n, n2 := count(w1.enc[hLatency]), count(w1.enc[hLatency2xx]); n != 100 || n2 != 90 {
		t.Errorf("window with 503s: latency count %d, latency_2xx %d; want 100 and 90", n, n2)
	}
	if w1.lat.Count != 100 || w0.lat.Count != 100 {
		t.Errorf("latency summaries count %d and %d, want 100 each", w0.lat.Count, w1.lat.Count)
	}
}
