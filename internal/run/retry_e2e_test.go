package run

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
)

// TestRetryAcceptance is issue #17's acceptance through the run pipeline,
// in each client: -H 'X-Seq: {{seq}}' --retry-on 503 --retry-max 3
// --retry-after honor against a server answering 503 + Retry-After: 1 to
// the first attempt of each seq and 200 after. Every request is retried
// exactly once ({{attempt}} 1), never sooner than 1 s after its 503 was
// written (causal: the client reads the 503 after it was written and then
// waits at least 1 s), all end 200, attempts.count = 2 × scheduled,
// amplification 2, the policy is recorded, and attempts are conserved.
func TestRetryAcceptance(t *testing.T) {
	for _, c := range []struct {
		client openloop.Client
		loops  int
	}{{openloop.ClientLoop, 1}, {openloop.ClientLoop, 2}, {openloop.ClientH1, 0}, {openloop.ClientNetHTTP, 0}} {
		t.Run(fmt.Sprintf("%s/loops=%d", c.client, c.loops), func(t *testing.T) {
			if c.client == openloop.ClientLoop && !openloop.EventLoopSupported {
				t.Skip("no event loop here")
			}
			var mu sync.Mutex
			seen := map[string][]time.Time{}
			attempts := map[string][]string{}
			wrote := map[string]time.Time{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				seq := r.Header.Get("X-Seq")
				mu.Lock()
				seen[seq] = append(seen[seq], time.Now())
				attempts[seq] = append(attempts[seq], r.Header.Get("X-Attempt"))
				first := len(seen[seq]) == 1
				if first {
					wrote[seq] = time.Now()
				}
				mu.Unlock()
				if first {
					w.Header().Set("Retry-After", "1")
					w.WriteHeader(http.StatusServiceUnavailable)
				}
			}))
			defer srv.Close()
			shape := profile.Shape{Kind: "constant", Rate: 40, Duration: 500 * time.Millisecond, Set: map[string]bool{"rate": true, "duration": true}}
			r := mustRun(t, nil, Overrides{URL: srv.URL + "/", Headers: []string{"X-Seq: {{seq}}", "X-Attempt: {{attempt}}"}, Shape: shape,
				Retry: RetryOverrides{On: "503", Max: 3, After: "honor"}}, Options{Client: c.client, Loops: c.loops})
			n, a := r.Total.Scheduled, r.Total.Attempts
			if r.RetryPolicy == nil || r.RetryPolicy.On != "503" || r.RetryPolicy.Max != 3 || a == nil {
				t.Fatalf("policy %+v, attempts %+v", r.RetryPolicy, a)
			}
			if n == 0 || r.Total.Status["200"] != n || a.Count != 2*n || a.Retries != n || *r.Total.Amplification != 2 {
				t.Errorf("scheduled %d, status %v, attempts %+v, amplification %v", n, r.Total.Status, *a, *r.Total.Amplification)
			}
			for _, s := range append(r.Stages, r.Total) {
				if !s.AttemptsConserved() || s.Scheduled != s.Sent+s.NotSent || s.Sent != s.Responses()+s.ErrorCount() {
					t.Errorf("stage %q not conserved: %+v", s.Name, s)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if int64(len(seen)) != n {
				t.Fatalf("server saw %d seqs for %d requests", len(seen), n)
			}
			for seq, at := range seen {
				if _, err := strconv.Atoi(seq); err != nil || len(at) != 2 || attempts[seq][0] != "0" || attempts[seq][1] != "1" {
					t.Fatalf("seq %q: %d requests, attempts %q", seq, len(at), attempts[seq])
				}
				if gap := at[1].Sub(wrote[seq]); gap < time.Second {
					t.Errorf("seq %s retried %v after its 503", seq, gap)
				}
			}
		})
	}
}
