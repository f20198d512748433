package run

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/run/runtest"
)

// tlsTarget is runtest.TLSTarget with the path the runs request.
func tlsTarget(t *testing.T, h2 bool) (url string, conns, served *atomic.Int64) {
	u, conns, served := runtest.TLSTarget(t, h2)
	return u + "/", conns, served
}

// TestPreflightTLS (issue #14, TLS): a self-signed https target fails the
// run before the schedule starts, with a *TLSError that says the
// certificate does not verify: one connection (the handshake), no request,
// no result. Skipping the check runs the plan; --http2 against a target
// that offers h2 records HTTP/2.0, and without it HTTP/1.1 is spoken even
// there. An https URL on a plain http server is refused the same way.
func TestPreflightTLS(t *testing.T) {
	plan := func(url string) *Plan {
		return NewPlan(profile.RequestSpec{URL: url},
			profile.Stage{Name: "s", Rate: 20, To: 20, Duration: 250 * time.Millisecond})
	}
	t.Run("self-signed", func(t *testing.T) {
		url, conns, served := tlsTarget(t, false)
		r, err := Execute(context.Background(), plan(url), Options{Analyze: NoAnalysis})
		var te *TLSError
		if !errors.As(err, &te) || !te.Verify || r != nil {
			t.Fatalf("result %v, error %v: want a certificate TLSError and no result", r != nil, err)
		}
		if msg := err.Error(); strings.Contains(msg, "\n") || !strings.Contains(msg, "certificate") || !strings.HasPrefix(msg, "https://127.0.0.1:") {
			t.Errorf("message %q", msg)
		}
		if conns.Load() != 1 || served.Load() != 0 {
			t.Errorf("the target accepted %d connections and served %d requests; want the handshake's one and none", conns.Load(), served.Load())
		}
	})
	for _, tt := range []struct {
		name          string
		offerH2, use2 bool
		want          string
	}{
		{"insecure", false, false, "HTTP/1.1"},
		{"insecure, h2 offered, not allowed", true, false, "HTTP/1.1"},
		{"insecure, http2", true, true, "HTTP/2.0"},
		{"insecure, http2 allowed, not offered", false, true, "HTTP/1.1"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url, _, served := tlsTarget(t, tt.offerH2)
			r, err := Execute(context.Background(), plan(url), Options{Analyze: NoAnalysis, Insecure: true, HTTP2: tt.use2})
			if err != nil {
				t.Fatal(err)
			}
			if r.Total.Status["200"] != 5 || served.Load() != 5 || r.Protocol != tt.want || r.Client != "net/http" {
				t.Errorf("status %v errors %v served %d, protocol %q (want %q), client %q",
					r.Total.Status, r.Total.Errors, served.Load(), r.Protocol, tt.want, r.Client)
			}
		})
	}
	t.Run("https on plain http", func(t *testing.T) {
		url, served := loopback(t)
		_, err := Execute(context.Background(), plan(strings.Replace(url, "http://", "https://", 1)), Options{Analyze: NoAnalysis, Insecure: true})
		var te *TLSError
		if !errors.As(err, &te) || te.Verify || !strings.Contains(err.Error(), "does not speak TLS") || served.Load() != 0 {
			t.Errorf("error %v, served %d", err, served.Load())
		}
	})
	t.Run("plain http records HTTP/1.1", func(t *testing.T) {
		url, _ := loopback(t)
		r, err := Execute(context.Background(), plan(url), Options{Analyze: NoAnalysis})
		if err != nil || r.Protocol != "HTTP/1.1" {
			t.Errorf("error %v, protocol %q", err, r.Protocol)
		}
	})
}
