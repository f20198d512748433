package targets

import (
	"io"
	"net/http"
	"testing"
)

// discardWriter is a ResponseWriter that keeps nothing but its header map.
type discardWriter struct{ h http.Header }

func (w *discardWriter) Header() http.Header         { return w.h }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

var _ http.ResponseWriter = (*discardWriter)(nil)

// BenchmarkRequestPath measures the target's own per-request overhead,
// admit → serve → respond, with a 1 ns service so the wait is nothing:
//   - free: a worker is always free (no handoff);
//   - handoff: one worker, so concurrent requests queue and every completion
//     hands the worker to the next goroutine (the FIFO path);
//   - loopback: the same through net/http on 127.0.0.1 with keep-alive.
//
// Run: go test -run '^$' -bench RequestPath -benchmem ./internal/targets/
func BenchmarkRequestPath(b *testing.B) {
	dist := mustDist(b, "det:1ns")
	b.Run("free", func(b *testing.B) {
		srv, err := New(Config{Workers: 1 << 16, Service: dist})
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{h: http.Header{}}
			for pb.Next() {
				clear(w.h)
				srv.serveModel(w)
			}
		})
	})
	b.Run("handoff", func(b *testing.B) {
		srv, err := New(Config{Workers: 1, Queue: 1 << 16, Service: dist})
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		b.ReportAllocs()
		b.SetParallelism(4)
		b.RunParallel(func(pb *testing.PB) {
			w := &discardWriter{h: http.Header{}}
			for pb.Next() {
				clear(w.h)
				srv.serveModel(w)
			}
		})
		if st := srv.Stats(); st.Rejected != 0 {
			b.Fatalf("%d rejected", st.Rejected)
		}
	})
	b.Run("loopback", func(b *testing.B) {
		srv, err := Start(Config{Workers: 1 << 16, Service: dist})
		if err != nil {
			b.Fatal(err)
		}
		defer srv.Close()
		client, closeIdle := newTestClient()
		defer closeIdle()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				resp, err := client.Get(srv.URL())
				if err != nil {
					b.Error(err)
					return
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				_ = resp.Body.Close()
			}
		})
	})
}
