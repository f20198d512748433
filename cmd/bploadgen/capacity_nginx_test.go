package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// nginxLimit is the rate limit of the nginx test, requests per second.
const nginxLimit = 200.0

// startNginx runs nginx as this test's own process (no daemon, no master)
// on a free 127.0.0.1 port with `limit_req rate=200r/s burst=10 nodelay`,
// and stops it at the end. The burst absorbs clumps of up to ten requests
// that a busy machine's send jitter makes (the long-run limit is still
// 200 r/s); without it any two requests closer than 5 ms are refused. It
// skips the test when nginx is not installed.
func startNginx(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if bin, err = exec.LookPath("/usr/sbin/nginx"); err != nil {
			t.Skip("nginx is not installed (apt-get install -y nginx): skipping the rate-limit case")
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	dir := t.TempDir()
	www := filepath.Join(dir, "www")
	if err := os.MkdirAll(www, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(www, "index.html"), []byte("ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	conf := fmt.Sprintf(`daemon off;
master_process off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path %[1]s/body;
  proxy_temp_path %[1]s/proxy;
  fastcgi_temp_path %[1]s/fastcgi;
  uwsgi_temp_path %[1]s/uwsgi;
  scgi_temp_path %[1]s/scgi;
  keepalive_requests 1000000;
  limit_req_zone $binary_remote_addr zone=capacity:1m rate=%[3]gr/s;
  server {
    listen %[2]s;
    location / { limit_req zone=capacity burst=10 nodelay; root %[1]s/www; }
  }
}
`, dir, addr, nginxLimit)
	cf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(cf, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", cf, "-e", filepath.Join(dir, "error.log"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx did not listen on %s: %v\n%s", addr, err, log)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "http://" + addr + "/"
}

// TestCapacityNginxRateLimit: nginx's limit_req at 200 r/s answers 503 to
// what exceeds the rate; below 200 rps nothing is refused, above it
// 1 − 200/r, so ratio(503) < 5% fails above 210.5 rps. 5% rather than 1%
// keeps the probes short (a 1% ratio needs 381 samples to pass, 5% 73).
func TestCapacityNginxRateLimit(t *testing.T) {
	t.Parallel()
	url := startNginx(t)
	const precision = 0.1
	wm := startWait(t)
	code, doc, out := capacitySearch(t, url, "--slo", "ratio(503) < 5%", "--arrival", "uniform", "--min", "100",
		"--max", "800", "--precision", "10%", "--budget", "15s", "--overload", "none")
	// The bounds below assume the send jitter the probes' own send lag
	// shows. A probe whose note says the generator fell behind (the
	// verdict may be the generator's: a clump beyond the burst) is the
	// product's honest answer when the machine starved the generator: the
	// test then skips if the process waited for a processor at least that
	// probe's send lag p99, and fails otherwise (starvedOr).
	starved := func(what string) {
		var late time.Duration
		var behind bool
		for _, p := range doc.Probes {
			if l, ok := generatorBehind(p); ok {
				late, behind = max(late, l), true
			}
		}
		if behind {
			starvedOr(t, wm, late, what)
		}
	}
	if code != 0 || doc.CapacityRPS == 0 {
		starved(fmt.Sprintf("exit %d, capacity %g", code, doc.CapacityRPS))
		t.Fatalf("exit %d, capacity %g\n%s", code, doc.CapacityRPS, out)
	}
	// Above: a passing probe's 503 ratio was below its interval's upper
	// end u, and the limit alone rejects 1 − 200/r, so r ≤ 200/(1 − u).
	// Below: a clump of more than the burst needs send jitter J of ten
	// spacings' margin, 10·(1/r − 5ms); with J bounded by twice the worst
	// probe's send-lag p99, rates under 1/(5ms + 2·J/10) see no
	// rejection, and the bisection stops within the precision of that.
	var upper, lag float64
	for _, p := range doc.Probes {
		lag = max(lag, p.Stage.SendLag.P99)
		if p.RateRPS == doc.CapacityRPS {
			upper = nginxLimit / (1 - p.SLOChecks[0].CIHigh)
		}
	}
	lower := 1 / (1/nginxLimit + 2*lag/10) / (1 + precision)
	t.Logf("capacity %g rps within [%.0f, %.0f]\n%s", doc.CapacityRPS, lower, upper, out)
	if doc.CapacityRPS > upper || doc.CapacityRPS < lower {
		starved(fmt.Sprintf("capacity %g rps, not within [%.0f, %.0f]", doc.CapacityRPS, lower, upper))
		t.Errorf("capacity %g rps, want within [%.0f, %.0f] of nginx's %g r/s (send lag p99 up to %.3gms)\n%s",
			doc.CapacityRPS, lower, upper, nginxLimit, lag*1e3, out)
	}
}
