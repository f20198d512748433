package openloop

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

func loopRun(t *testing.T, url, method string, segs []schedule.Segment) (*Recording, *H1Doer) {
	t.Helper()
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewH1Doer(HTTPConfig{Method: method, URL: url, Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 100, EventLoop: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	return rec, d
}

// TestLoopStaleConnectionRetried: the server closes idle connections
// after 50 ms and requests come every 200 ms, so every request after the
// first finds its kept-alive connection dead; each is resent once on a
// fresh one and the user sees only 200s.
func TestLoopStaleConnectionRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	srv.Config.IdleTimeout = 50 * time.Millisecond
	srv.Start()
	defer srv.Close()
	rec, d := loopRun(t, srv.URL, "GET", []schedule.Segment{{Duration: time.Second, From: 5, To: 5}})
	dials, retries := d.Dials()
	if rec.Total.Status["200"] != 5 || dials < 2 {
		t.Errorf("status %v errors %v dials %d retries %d", rec.Total.Status, rec.Total.Errors, dials, retries)
	}
	// The idle close is usually seen before the next request (EPOLLRDHUP on
	// an idle connection closes it) and then no retry is needed; either
	// way nothing fails.
	t.Logf("dials %d, retries %d", dials, retries)
}

// TestLoopResponses: chunked 503s with Server-Timing and headers kept as
// samples; Connection: close answered on a new connection each time; HEAD.
func TestLoopResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/busy":
			w.Header().Set("Server-Timing", "queue;dur=1, svc;dur=2")
			w.Header().Set("Retry-After", "3")
			w.WriteHeader(503)
			w.(http.Flusher).Flush() // forces chunked encoding
			w.Write([]byte("overloaded <b>now</b>"))
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		default:
			w.Header().Set("Content-Length", "100")
			if r.Method != "HEAD" {
				w.Write(make([]byte, 100))
			}
		}
	}))
	defer srv.Close()
	segs := []schedule.Segment{{Duration: 500 * time.Millisecond, From: 20, To: 20}}

	rec, _ := loopRun(t, srv.URL+"/busy", "GET", segs)
	s := rec.Samples.Responses["503"]
	if rec.Total.Status["503"] != 10 || s.Body != "overloaded <b>now</b>" || s.Headers["Retry-After"] != "3" {
		t.Errorf("503s %v sample %+v", rec.Total.Status, s)
	}
	if st := rec.Total.ServerTiming; st == nil || st.Queue.Count != 10 {
		t.Errorf("server timing %+v", st)
	}

	rec, d := loopRun(t, srv.URL+"/close", "GET", segs)
	if dials, _ := d.Dials(); rec.Total.Status["200"] != 10 || dials != 10 {
		t.Errorf("close: status %v dials %d", rec.Total.Status, dials)
	}

	// Kept alive: a connection is dialled only when every open one
	// carries a request, so the dials never exceed the most requests in
	// flight at once (1 when each response came before the next send, 20
	// per second; a starved machine may overlap two).
	rec, d = loopRun(t, srv.URL+"/", "HEAD", segs)
	if dials, _ := d.Dials(); rec.Total.Status["200"] != 10 || dials < 1 || dials > rec.Total.InFlightMax {
		t.Errorf("head: status %v errors %v dials %d, in flight at most %d", rec.Total.Status, rec.Total.Errors, dials, rec.Total.InFlightMax)
	}
}

// TestLoopSetupFailure: a loop that cannot start (here the address does
// not resolve: port out of range) ends with Recording.Err, nothing sent
// and conservation kept, not with an empty recording that looks like a run.
func TestLoopSetupFailure(t *testing.T) {
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	s, err := schedule.New([]schedule.Segment{{Duration: 100 * time.Millisecond, From: 50, To: 50}}, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: "http://127.0.0.1:99999/", Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 10, EventLoop: true})
	if err != nil {
		t.Fatal(err)
	}
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	if rec.Err == nil || rec.Total.Sent != 0 {
		t.Errorf("err %v, sent %d", rec.Err, rec.Total.Sent)
	}
}
