package targets

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// lines is an io.Writer that hands each write on (Serve writes whole lines).
type lines chan string

func (l lines) Write(p []byte) (int, error) { l <- string(p); return len(p), nil }

// TestServe: the banner when listening, and on cancel a drain that either
// finishes (no cut-off) or runs out (cutOff told the requests cut off,
// which are answered 503), then the stop line with the counters.
func TestServe(t *testing.T) {
	for _, tc := range []struct {
		name    string
		service string
		drain   time.Duration
		inside  int    // requests in service when cancelled
		stopped string // in the last line
		cut     uint64 // what cutOff is told; 0: not called
	}{
		{"drained", "det:1ms", time.Minute, 0, "0 served, 0 rejected (503), 0 timed out (503), 0 rate-limited, 0 cut off", 0},
		{"cut off", "det:1h", 50 * time.Millisecond, 1, "0 served, 0 rejected (503), 0 timed out (503), 0 rate-limited, 1 cut off", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := make(lines, 2)
			var cut uint64
			done := make(chan error, 1)
			go func() {
				done <- Serve(ctx, Config{Addr: "127.0.0.1:0", Workers: 1, Service: mustDist(t, tc.service)}, tc.drain, out,
					func(n uint64) { cut = n })
			}()
			banner := <-out
			url := strings.Fields(banner[strings.Index(banner, "http://"):])[0] // "target listening on URL  model ..."
			codes := make(chan int, tc.inside)
			for range tc.inside {
				go func() {
					resp, err := http.Get(url + "/")
					if err != nil {
						codes <- 0
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					_ = resp.Body.Close()
					codes <- resp.StatusCode
				}()
			}
			waitBusy(t, url, tc.inside)
			cancel()
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if last := <-out; !strings.HasPrefix(last, "target stopped after ") || !strings.HasSuffix(last, tc.stopped+"\n") {
				t.Errorf("last line %q, want ... %s", last, tc.stopped)
			}
			if cut != tc.cut {
				t.Errorf("cutOff told %d, want %d", cut, tc.cut)
			}
			for range tc.inside {
				if c := <-codes; c != http.StatusServiceUnavailable {
					t.Errorf("a cut-off request got %d, want 503", c)
				}
			}
		})
	}
}

// waitBusy waits until n requests are in service at the server at url.
func waitBusy(t *testing.T, url string, n int) {
	t.Helper()
	want := fmt.Sprintf("bploadgen_target_busy_workers %d\n", n)
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		resp, err := http.Get(url + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if strings.Contains(string(body), want) {
			return
		}
	}
	t.Fatalf("never %d requests in service", n)
}
