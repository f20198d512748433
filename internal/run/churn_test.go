package run

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
)

// TestChurnWarning: a target that closes every connection after its
// response (Connection: close, as an HTTP/1.0 server does) makes every
// client open one per request, and the result says so; one that keeps
// them alive does not. In every client.
func TestChurnWarning(t *testing.T) {
	shape := profile.Shape{Kind: "constant", Rate: 50, Duration: time.Second, Set: map[string]bool{"rate": true, "duration": true}}
	for _, client := range []openloop.Client{openloop.ClientLoop, openloop.ClientH1, openloop.ClientNetHTTP} {
		if client == openloop.ClientLoop && !openloop.EventLoopSupported {
			continue
		}
		for _, closing := range []bool{true, false} {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if closing {
					w.Header().Set("Connection", "close")
				}
			}))
			r := mustRun(t, nil, Overrides{URL: srv.URL, Shape: shape}, Options{Client: client})
			srv.Close()
			warned := strings.Contains(strings.Join(r.Warnings, "\n"), "connections for 50 requests sent")
			if warned != closing || closing && r.Connections < 50 {
				t.Errorf("%s, closing %v: %d connections, warnings %q", client, closing, r.Connections, r.Warnings)
			}
		}
	}
}

// Requests that time out take their connections with them: the next ones
// open new connections, which is no keep-alive problem of the target's,
// and the warning must not say it is (it blamed keep-alive against Apache
// past its listen backlog).
func TestChurnWarningLeavesOutErrors(t *testing.T) {
	shape := profile.Shape{Kind: "constant", Rate: 50, Duration: time.Second, Set: map[string]bool{"rate": true, "duration": true}}
	for _, client := range []openloop.Client{openloop.ClientLoop, openloop.ClientH1, openloop.ClientNetHTTP} {
		if client == openloop.ClientLoop && !openloop.EventLoopSupported {
			continue
		}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-time.After(200 * time.Millisecond):
			case <-r.Context().Done():
			}
		}))
		r := mustRun(t, nil, Overrides{URL: srv.URL, Shape: shape, Timeout: 20 * time.Millisecond}, Options{Client: client})
		srv.Close()
		if r.Total.Errors["timeout"] < 40 || r.Connections < 40 {
			t.Fatalf("%s: %d timeouts, %d connections: the test needs most requests to time out on their own connections", client, r.Total.Errors["timeout"], r.Connections)
		}
		if w := strings.Join(r.Warnings, "\n"); strings.Contains(w, "connections for") {
			t.Errorf("%s: %d connections for %d timeouts, and the churn warning: %q", client, r.Connections, r.Total.Errors["timeout"], r.Warnings)
		}
	}
}
