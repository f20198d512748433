package targets

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// get sends n concurrent GETs to url and returns their status codes (0 on
// a transport error) once all have answered.
func get(t *testing.T, client *http.Client, url string, n int) <-chan []int {
	t.Helper()
	out := make(chan []int, 1)
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, err := client.Get(url)
			if err != nil {
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
			codes[i] = resp.StatusCode
		}()
	}
	go func() { wg.Wait(); out <- codes }()
	return out
}

// waitFor polls cond every millisecond for up to 5 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestShutdownDrainsAdmittedRequests(t *testing.T) {
	srv, err := Start(Config{Workers: 2, Queue: 2, Service: mustDist(t, "det:200ms")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	client, closeIdle := newTestClient()
	defer closeIdle()
	issued := time.Now()
	done := get(t, client, srv.URL(), 4) // 2 in service, 2 queued
	waitFor(t, "4 in flight", func() bool { return srv.Stats().InFlight == 4 })

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	begin := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	took := time.Since(begin)
	codes := <-done
	for i, c := range codes {
		if c != http.StatusOK {
			t.Errorf("request %d: status %d, want 200 (drained)", i, c)
		}
	}
	st := srv.Stats()
	if st.Served != 4 || st.Aborted != 0 {
		t.Errorf("served %d aborted %d, want 4 and 0", st.Served, st.Aborted)
	}
	// The queued pair enters service after the first pair's 200 ms, and
	// none of the four began before they were issued: the drain cannot end
	// before issued + 400 ms, however late the wait above saw them all in
	// flight. Shutdown polls for idle connections (net/http backs off to
	// 500 ms), so allow a second and a half past the drain.
	if least := 400*time.Millisecond - begin.Sub(issued); took < least || took > 2*time.Second {
		t.Errorf("Shutdown took %v, want the drain (at least %v) plus polling", took, least)
	}
	if _, err := http.Get(srv.URL()); err == nil {
		t.Error("a new request after Shutdown was answered")
	}
}

func TestShutdownBoundCutsOff(t *testing.T) {
	srv, err := Start(Config{Workers: 1, Queue: 1, Service: mustDist(t, "det:1h")})
	if err != nil {
		t.Fatal(err)
	}
	client, closeIdle := newTestClient()
	defer closeIdle()
	done := get(t, client, srv.URL(), 2)
	waitFor(t, "2 in flight", func() bool { return srv.Stats().InFlight == 2 })

	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	begin := time.Now()
	err = srv.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown past its bound = %v, want DeadlineExceeded", err)
	}
	if took := time.Since(begin); took > 2*time.Second {
		t.Errorf("Shutdown with a 100 ms bound took %v", took)
	}
	for i, c := range <-done {
		if c != http.StatusServiceUnavailable {
			t.Errorf("cut-off request %d: status %d, want 503 (0: no answer)", i, c)
		}
	}
	if st := srv.Stats(); st.Aborted != 2 || st.InFlight != 0 {
		t.Errorf("aborted %d in flight %d, want 2 and 0", st.Aborted, st.InFlight)
	}
	if err := srv.Close(); err != nil {
		t.Errorf("Close after Shutdown: %v", err)
	}
}

func TestCloseIsPromptAndIdempotent(t *testing.T) {
	srv, err := Start(Config{Workers: 2, Queue: 8, Service: mustDist(t, "exp:1h")})
	if err != nil {
		t.Fatal(err)
	}
	client, closeIdle := newTestClient()
	defer closeIdle()
	done := get(t, client, srv.URL(), 6)
	waitFor(t, "6 in flight", func() bool { return srv.Stats().InFlight == 6 })
	begin := time.Now()
	if err := srv.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if took := time.Since(begin); took > time.Second {
		t.Errorf("Close took %v", took)
	}
	for i, c := range <-done {
		if c != http.StatusServiceUnavailable {
			t.Errorf("cut-off request %d: status %d, want 503 (0: no answer)", i, c)
		}
	}
	if err := srv.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if st := srv.Stats(); st.Aborted != 6 {
		t.Errorf("aborted %d, want 6", st.Aborted)
	}
}

// Start and Close are cheap and leave nothing behind, so the engine and the
// demo can start servers in-process freely.
func TestStartCloseLeavesNoGoroutines(t *testing.T) {
	before := runtime.NumGoroutine()
	for range 20 {
		srv, err := Start(Config{Workers: 2, Service: mustDist(t, "det:1ms")})
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Get(srv.URL())
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		if err := srv.Close(); err != nil {
			t.Fatal(err)
		}
	}
	http.DefaultClient.CloseIdleConnections()
	waitFor(t, "goroutines to wind down", func() bool { return runtime.NumGoroutine() <= before+2 })
}

// The Server is a plain http.Handler: it runs under httptest (or any
// listener), and Shutdown drains it without a listener of its own.
func TestHandlerWithAnyListener(t *testing.T) {
	srv, err := New(Config{Workers: 1, Queue: 0, Service: mustDist(t, "det:100ms")})
	if err != nil {
		t.Fatal(err)
	}
	if srv.URL() != "" {
		t.Errorf("URL of an unstarted server = %q", srv.URL())
	}
	hs := httptest.NewServer(srv.Handler())
	defer hs.Close()
	client, closeIdle := newTestClient()
	defer closeIdle()

	done := get(t, client, hs.URL, 1)
	waitFor(t, "1 in flight", func() bool { return srv.Stats().Busy == 1 })
	resp, err := client.Get(hs.URL) // c = 1, no queue: rejected
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "1" {
		t.Errorf("full server: %d, Retry-After %q; want 503, 1", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if codes := <-done; codes[0] != http.StatusOK {
		t.Errorf("drained request: %d", codes[0])
	}
	resp, err = client.Get(hs.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Shutdown: %d, want 503", resp.StatusCode)
	}
}

func TestRoutes(t *testing.T) {
	srv, err := New(Config{Workers: 1, Service: mustDist(t, "det:1ms")})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, c := range []struct {
		method, path string
		code         int
		body         string
	}{
		{"GET", "/", 200, "ok\n"},
		{"POST", "/", 200, "ok\n"},
		{"DELETE", "/", 200, "ok\n"},
		{"GET", "/healthz", 200, "ok\n"},
		{"GET", "/nope", 404, ""},
	} {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(c.method, c.path, strings.NewReader("x")))
		if rec.Code != c.code || (c.body != "" && rec.Body.String() != c.body) {
			t.Errorf("%s %s: %d %q, want %d %q", c.method, c.path, rec.Code, rec.Body.String(), c.code, c.body)
		}
	}
	if st := srv.Stats(); st.Served != 3 {
		t.Errorf("served %d, want 3 (only / is the model)", st.Served)
	}
}

// Retry-After is (waiting/c + 1)·E[S] rounded up to whole seconds, ≥ 1.
func TestRetryAfter(t *testing.T) {
	for _, c := range []struct {
		workers, depth int
		mean           string
		want           string
	}{
		{8, 8, "det:10ms", "1"},
		{1, 3, "det:2s", "8"},    // (3 + 1)·2 s
		{4, 10, "det:1s", "4"},   // (2.5 + 1)·1 s = 3.5 → 4
		{2, 0, "det:700ms", "1"}, // 0.7 → 1
	} {
		srv, err := New(Config{Workers: c.workers, Service: mustDist(t, c.mean)})
		if err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.writeRejected(rec, c.depth)
		if got := rec.Header().Get("Retry-After"); got != c.want || rec.Code != 503 {
			t.Errorf("c=%d depth=%d %s: %d Retry-After %q, want 503 %q", c.workers, c.depth, c.mean, rec.Code, got, c.want)
		}
	}
}
