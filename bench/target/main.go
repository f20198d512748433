// Command target is the trivial HTTP/1.1 server the benchmarks in bench/
// drive: it answers every request 200 with a 2-byte body, after an optional
// fixed delay. It measures its own handler time (sleeps overshoot) and
// serves the distribution at /__stats (GET; ?reset=1 clears it), so a
// benchmark can tell a generator's overhead from the server's own time; and
// at /__schedule?rate=R how late the arrivals were against a uniform
// schedule at R, so every generator's pacing is judged the same way:
// by when the handler ran, and (Linux) by when the request reached the
// socket, the kernel's receive stamp, which leaves out this one-core
// server's own delay in getting to it.
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

// stats is the handler-time histogram in ns, and the arrival times: when
// the handler ran, and when the request reached the socket (the kernel's
// stamp, where there is one).
type stats struct {
	mu       sync.Mutex
	h        *hdr.Histogram
	arrivals []time.Time
	atSocket []time.Time
}

func (s *stats) arrive(t, sock time.Time, stamped bool) {
	s.mu.Lock()
	if len(s.arrivals) < 50_000_000 {
		s.arrivals = append(s.arrivals, t)
		if stamped {
			s.atSocket = append(s.atSocket, sock)
		}
	}
	s.mu.Unlock()
}

func (s *stats) record(d time.Duration) {
	s.mu.Lock()
	_ = s.h.RecordValue(int64(d))
	s.mu.Unlock()
}

// schedule compares the arrivals with a uniform schedule at rate R,
// placed at the least late of them: with d_k = a_k − k/R (a_k the k-th
// arrival from the first), the k-th arrival's lag is d_k − min_j d_j, the
// send lag of whatever generator sent them as seen from outside it (plus
// the loopback delay). No arrival can precede its intended time, so the
// least late one is at most on time and these lags are at least the
// true ones; placing the schedule at the first arrival instead read every
// lag short by that arrival's own (a first request sent 60 µs late hid
// every lag under 60 µs: p99 0). lag_* are by the handler's time,
// socket_lag_* by the kernel's receive stamp (socket_count of them);
// lag_over_250us and socket_lag_over_250us count the lags over 250 µs
// (the bound on a generator's lag p99 at 2000 rps).
// skip=N leaves out the first N arrivals of each (a tool's warm-up
// requests, sent before its paced ones: fortio sends one per connection).
// GET /__schedule?rate=R[&skip=N][&reset=1].
func (s *stats) schedule(w http.ResponseWriter, r *http.Request) {
	rate, err := strconv.ParseFloat(r.URL.Query().Get("rate"), 64)
	if err != nil || rate <= 0 {
		http.Error(w, "rate=R required", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	arr := append([]time.Time(nil), s.arrivals...)
	sock := append([]time.Time(nil), s.atSocket...)
	if r.URL.Query().Get("reset") == "1" {
		s.arrivals, s.atSocket = s.arrivals[:0], s.atSocket[:0]
	}
	s.mu.Unlock()
	skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
	skip = max(skip, 0)
	out := map[string]int64{"count": int64(len(arr)), "socket_count": int64(len(sock))}
	for _, c := range []struct {
		prefix string
		at     []time.Time
	}{{"", arr}, {"socket_", sock}} {
		lags := lagsAgainst(c.at, rate, skip)
		out[c.prefix+"lag_p50_ns"], out[c.prefix+"lag_p99_ns"], out[c.prefix+"lag_max_ns"] = lags.ValueAtQuantile(50), lags.ValueAtQuantile(99), lags.Max()
		out[c.prefix+"lag_over_250us"] = countOver(lags, 250*time.Microsecond)
	}
	json.NewEncoder(w).Encode(out)
}

// countOver counts the values of h over d (those in buckets that start
// above it: a bucket holding d itself, 0.1% wide, counts as not over).
func countOver(h *hdr.Histogram, d time.Duration) int64 {
	var n int64
	for _, b := range h.Distribution() {
		if b.From > int64(d) {
			n += b.Count
		}
	}
	return n
}

// lagsAgainst is the histogram of the arrivals' lags behind a uniform
// schedule at rate placed at the least late of them (see schedule), the
// earliest skip left out.
func lagsAgainst(at []time.Time, rate float64, skip int) *hdr.Histogram {
	sort.Slice(at, func(i, j int) bool { return at[i].Before(at[j]) })
	at = at[min(skip, len(at)):]
	lags := hdr.New(1, int64(time.Hour), 3)
	if len(at) == 0 {
		return lags
	}
	d := make([]time.Duration, len(at)) // d_k: a_k − a_0 − k/R
	least := time.Duration(0)
	for k, a := range at {
		d[k] = a.Sub(at[0]) - time.Duration(float64(k)/rate*1e9)
		least = min(least, d[k])
	}
	for _, x := range d {
		_ = lags.RecordValue(int64(x - least))
	}
	return lags
}

func (s *stats) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	out := map[string]int64{"count": s.h.TotalCount(), "p50_ns": s.h.ValueAtQuantile(50), "p99_ns": s.h.ValueAtQuantile(99), "mean_ns": int64(s.h.Mean())}
	if r.URL.Query().Get("reset") == "1" {
		s.h.Reset()
	}
	s.mu.Unlock()
	json.NewEncoder(w).Encode(out)
}

// connKey holds a request's connection in its context.
type connKey struct{}

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
		sock, stamped := socketTime(r.Context().Value(connKey{}).(net.Conn))
		st.arrive(start, sock, stamped)
		if *delay > 0 {
			time.Sleep(*delay)
		}
		w.Header().Set("Content-Length", "2")
		w.Write(body)
		st.record(time.Since(start))
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context { return context.WithValue(ctx, connKey{}, c) }}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(stampListener{Listener: l, base: time.Now()}); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, "target:", err)
		os.Exit(1)
	}
}
