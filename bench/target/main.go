// Command target is the trivial HTTP/1.1 server the benchmarks in bench/
// drive: it answers every request 200 with a 2-byte body, after an optional
// fixed delay. It measures its own handler time (sleeps overshoot) and
// serves the distribution at /__stats (GET; ?reset=1 clears it), so a
// benchmark can tell a generator's overhead from the server's own time.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// stats is the handler-time histogram in ns.
type stats struct {
	mu sync.Mutex
	h  *hdr.Histogram
}

func (s *stats) record(d time.Duration) {
	s.mu.Lock()
	_ = s.h.RecordValue(int64(d))
	s.mu.Unlock()
}

func (s *stats) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := map[string]int64{"count": s.h.TotalCount(), "p50_ns": s.h.ValueAtQuantile(50), "p99_ns": s.h.ValueAtQuantile(99)}
	if r.URL.Query().Get("reset") == "1" {
		s.h.Reset()
	}
	s.mu.Unlock()
	json.NewEncoder(w).Encode(out)
}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	delay := flag.Duration("delay", 0, "fixed delay before answering")
	flag.Parse()
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
	fmt.Println(l.Addr().String()) // the benchmark reads the address from here
	st := &stats{h: hdr.New(1000, int64(time.Minute), 3)}
	body := []byte("ok")
	mux := http.NewServeMux()
	mux.HandleFunc("/__stats", st.serve)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if *delay > 0 {
			time.Sleep(*delay)
		}
		w.Header().Set("Content-Length", "2")
		w.Write(body)
		st.record(time.Since(start))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(l); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
}
