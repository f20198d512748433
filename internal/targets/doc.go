// Package targets holds bploadgen's built-in target servers: HTTP servers
// whose behaviour queueing theory predicts exactly, for users to point
// bploadgen at first and for bploadgen's own tests.
//
// The reference server has c workers and a bounded FIFO waiting queue
// (Config.Queue slots). Admission is decided at arrival: a request that finds
// (in service + waiting) ≥ c + Queue is answered 503 at once, with
// Retry-After. Under Poisson arrivals and exponential service it is exactly
// the M/M/c/K queue of docs/queueing.md §3 with K = c + Queue (K counts the
// requests in service). The other policies shed load the ways real
// services do (policy.go; each is a model queueing theory predicts):
// Unbounded admits everything (no backpressure: under overload the queue
// and the latency grow without limit); Deadline lets a request wait at most
// QueueTimeout for a worker, then answers 503 (M/M/c+D); RateLimit puts a
// token bucket in front of the workers (429 or 503 at once); AIMD adapts a
// concurrency limit to the queue waits it sees and exports it in /metrics.
//
// Service is emulated by waiting until an absolute deadline. The time
// actually spent is measured on the monotonic clock and reported — in the
// Server-Timing header ("queue;dur=W, svc;dur=S" in ms), the /metrics
// histogram and the busy-worker integral — never the sampled value. Timers
// overshoot by ~0.1–0.6 ms under load, so the wait aims early by a running
// estimate of that overshoot (no spinning); what remains is measured.
//
// Like net/http/httptest, Start listens on 127.0.0.1:0 and Close stops
// everything; the Server is also an http.Handler usable with any listener:
//
//	srv, err := targets.Start(targets.Config{Workers: 8, Queue: 8, Service: dist})
//	if err != nil { ... }
//	defer srv.Close()
//	resp, err := http.Get(srv.URL())
//
// Serve is the server as a foreground process (`bploadgen target`): start,
// serve until the context ends, drain for a bounded time, report.
//
// Paths: "/" (any method) is the modelled service, "/metrics" is Prometheus
// text format (names: the Metric* constants), "/healthz" answers 200
// without touching the model.
package targets
