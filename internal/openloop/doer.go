package openloop

import (
	"context"
	"net/http"
	"time"
)

// Doer sends one request of the run and waits for its outcome. It must be
// safe for concurrent use; scratch belongs to the calling worker alone.
type Doer interface {
	Do(ctx context.Context, scratch *Scratch) Response
}

// Scratch is per-worker memory a Doer may reuse between requests.
type Scratch struct {
	// Body holds the first bytes of a non-2xx response body (for samples).
	Body []byte
	buf  [SampleBodyBytes]byte
	// conn is the worker's own keep-alive connection (H1Doer).
	conn *h1Conn
	// req is the current arrival's request of a request set (mixsend.go).
	req prepared
	// sampled is the statuses whose responses keep no head or body (the
	// recorder holds a sample of each); nil: keep every non-2xx one.
	sampled *syncStatusSet
}

// Close releases what the worker held (its connection).
func (s *Scratch) Close() {
	if s.conn != nil {
		s.conn.close()
		s.conn = nil
	}
}

// SampleBodyBytes is how much of a non-2xx body is kept as a sample.
const SampleBodyBytes = 512

// Response is the outcome of one request.
type Response struct {
	// Status is the HTTP status code, or 0 when the request failed.
	Status int
	// ErrClass is one of result.ErrTimeout, ErrConnect, ErrReset, ErrOther,
	// ErrCanceled when the request failed, and "" otherwise.
	ErrClass string
	// Err is the failure, for the error samples.
	Err error
	// ServerQueue and ServerService are the target's own Server-Timing
	// "queue" and "svc" durations, or -1 when it sent none.
	ServerQueue, ServerService time.Duration
	// Header and Body (a prefix, in the worker's Scratch) of a non-2xx
	// response, for the samples; nil otherwise.
	Header http.Header
	Body   []byte
}
