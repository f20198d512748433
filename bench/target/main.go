// Command target is the trivial HTTP/1.1 server the benchmarks in bench/
// drive: it answers every request 200 with a 2-byte body, after an optional
// fixed delay. It measures its own handler time (sleeps overshoot) and
// serves the distribution at /__stats (GET; ?reset=1 clears it), so a
// benchmark can tell a generator's overhead from the server's own time; and
// at /__schedule?rate=R how late the arrivals were against a uniform
// schedule at R, so every generator's pacing is judged the same way.
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
	"sort"
	"strconv"
	"sync"
	"syscall"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// stats is the handler-time histogram in ns, and the arrival times.
type stats struct {
	mu       sync.Mutex
	h        *hdr.Histogram
	arrivals []time.Time
}

func (s *stats) arrive(t time.Time) {
	s.mu.Lock()
	if len(s.arrivals) < 50_000_000 {
		s.arrivals = append(s.arrivals, t)
	}
	s.mu.Unlock()
}

func (s *stats) record(d time.Duration) {
	s.mu.Lock()
	_ = s.h.RecordValue(int64(d))
	s.mu.Unlock()
}

// schedule compares the arrivals with a uniform schedule at rate R that
// starts with the first arrival: the k-th arrival's lag is
// a_k − (a_0 + k/R), the send lag of whatever generator sent them as seen
// from outside it (plus the loopback delay). GET /__schedule?rate=R[&reset=1].
func (s *stats) schedule(w http.ResponseWriter, r *http.Request) {
	rate, err := strconv.ParseFloat(r.URL.Query().Get("rate"), 64)
	if err != nil || rate <= 0 {
		http.Error(w, "rate=R required", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	arr := append([]time.Time(nil), s.arrivals...)
	if r.URL.Query().Get("reset") == "1" {
		s.arrivals = s.arrivals[:0]
	}
	s.mu.Unlock()
	sort.Slice(arr, func(i, j int) bool { return arr[i].Before(arr[j]) })
	lags := hdr.New(1, int64(time.Hour), 3)
	for k, a := range arr {
		lag := a.Sub(arr[0]) - time.Duration(float64(k)/rate*1e9)
		_ = lags.RecordValue(max(int64(lag), 0))
	}
	json.NewEncoder(w).Encode(map[string]int64{"count": int64(len(arr)),
		"lag_p50_ns": lags.ValueAtQuantile(50), "lag_p99_ns": lags.ValueAtQuantile(99), "lag_max_ns": lags.Max()})
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
	mux.HandleFunc("/__schedule", st.schedule)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st.arrive(start)
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
