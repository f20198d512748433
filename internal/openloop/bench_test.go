package openloop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// BenchmarkRecord measures the recorder's per-request cost: the events a
// request produces (scheduled, sent, done) with its histograms, windows and
// in-flight area, for a run of 1000 rps.
func BenchmarkRecord(b *testing.B) {
	s, _ := schedule.New([]schedule.Segment{{Duration: 24 * time.Hour, From: 1000, To: 1000}}, schedule.Uniform, nil, 0, schedule.Shard{})
	r := newRecorder(s, 1, func(x string) string { return x })
	done := make(chan struct{})
	go r.finalizer(done)
	resp := Response{Status: 200, ServerQueue: -1, ServerService: -1}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a, ok := s.Next()
		if !ok {
			b.Fatal("schedule exhausted")
		}
		r.scheduled(0, a)
		r.sent(a, a.At+20*time.Microsecond)
		r.done(a, a.At+20*time.Microsecond, a.At+time.Duration(1+i%10)*time.Millisecond, &resp, 0)
		i++
	}
	b.StopTimer()
	close(r.finals)
	<-done
}

// BenchmarkRoundTrip is one request through the HTTP doer to a loopback
// server (the cost of net/http on both sides dominates).
func BenchmarkRoundTrip(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	d, err := NewHTTPDoer(HTTPConfig{Method: "GET", URL: srv.URL, Timeout: time.Second, MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var s Scratch
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Do(context.Background(), &s); r.Status != 200 {
			b.Fatalf("%+v", r)
		}
	}
}
