package targets

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// Server is a running reference server. Create it with Start (listening) or
// New (a bare http.Handler). All methods are safe for concurrent use.
type Server struct {
	cfg   Config
	stall stallSchedule
	t0    time.Time // start; every model time is an offset from it (monotonic)

	mu     sync.Mutex
	m      model
	done   chan struct{}  // closed when the model is aborted
	active sync.WaitGroup // handlers inside the model; Add only under mu while admitting
	lead   atomic.Int64   // timer-overshoot estimate (ns) the service wait aims early by

	hs  *http.Server // nil for New
	url string
}

var _ http.Handler = (*Server)(nil)

// New validates cfg and returns a Server that is not listening: serve it
// with any listener via Handler. Close or Shutdown it when done.
func New(cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("target: %w", err)
	}
	return &Server{
		cfg:   cfg,
		stall: stallSchedule{every: cfg.StallEvery, length: cfg.StallFor},
		t0:    time.Now(),
		m:     newModel(cfg),
		done:  make(chan struct{}),
	}, nil
}

// Start validates cfg, listens on cfg.Addr (default 127.0.0.1:0) and serves
// in the background until Close or Shutdown.
func Start(cfg Config) (*Server, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("target: listen on %s: %w", addr, err)
	}
	s.hs = &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
	s.url = "http://" + ln.Addr().String()
	go func() { _ = s.hs.Serve(ln) }() // returns ErrServerClosed on Close/Shutdown
	return s, nil
}

// URL is the base URL "http://127.0.0.1:PORT" of a started server ("" for New).
func (s *Server) URL() string { return s.url }

// Config returns the configuration the server runs with.
func (s *Server) Config() Config { return s.cfg }

// Handler is the server's handler ("/", "/metrics", "/healthz"), for use
// with any listener or httptest.
func (s *Server) Handler() http.Handler { return s }

// Stats returns a snapshot of the counters, taken now.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m.snapshot(s.since())
}

// since is the current model time; call it under mu so event times are
// non-decreasing in the order the model sees them.
func (s *Server) since() time.Duration { return time.Since(s.t0) }

// Close stops the server at once: it cuts off admitted requests (each is
// answered 503 "shutting down" and counted as Aborted), waits for their
// handlers to leave the model (promptly: nothing blocks after the abort),
// then stops listening and closes every connection. Idempotent.
func (s *Server) Close() error {
	s.abort()
	s.active.Wait()
	if s.hs != nil {
		return s.hs.Close()
	}
	return nil
}

// Shutdown stops accepting and lets every admitted request finish, then
// closes. If ctx ends first, it cuts off what is left as Close does and
// returns an error wrapping ctx.Err().
func (s *Server) Shutdown(ctx context.Context) error {
	if s.hs == nil {
		return s.drainBare(ctx)
	}
	err := s.hs.Shutdown(ctx) // closes listeners, waits for connections to go idle
	if err == nil {
		s.abort() // nothing is left; freeze the counters
		return nil
	}
	_ = s.Close()
	return fmt.Errorf("target: drain: %w", err)
}

// drainBare is Shutdown for a server without a listener of its own: stop
// admitting, wait for the admitted to finish.
func (s *Server) drainBare(ctx context.Context) error {
	s.mu.Lock()
	s.m.draining = true
	s.mu.Unlock()
	idle := make(chan struct{})
	go func() { s.active.Wait(); close(idle) }()
	select {
	case <-idle:
		s.abort()
		return nil
	case <-ctx.Done():
		_ = s.Close()
		<-idle
		return fmt.Errorf("target: drain: %w", ctx.Err())
	}
}

// abort freezes the model and wakes every handler waiting in it.
func (s *Server) abort() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m.closed {
		return
	}
	s.m.abort(s.since())
	close(s.done)
}

// ServeHTTP routes "/" to the model, "/metrics" and "/healthz".
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/":
		s.serveModel(w)
	case "/metrics":
		s.serveMetrics(w)
	case "/healthz":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "ok\n")
	default:
		http.NotFound(w, r)
	}
}
