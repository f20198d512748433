package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/run/runtest"
)

// TestSelfSignedTarget (issue #14, TLS), end to end: `run` and `capacity`
// against an https target with a self-signed certificate exit 3 with one
// line on stderr that says the certificate does not verify and how to skip
// the check; no request reaches the target and no result is written. With
// -k the run goes ahead, and --http2 against a target that offers h2
// records HTTP/2.0 as the protocol.
func TestSelfSignedTarget(t *testing.T) {
	url, conns, served := runtest.TLSTarget(t, true)
	dir := t.TempDir()

	for _, args := range [][]string{
		{"run", url + "/", "--rate", "20", "--duration", "500ms"},
		{"capacity", url + "/", "--slo", "p99 < 100ms", "--min", "10", "--max", "20", "--budget", "10m"},
	} {
		t.Run(args[0], func(t *testing.T) {
			conns.Store(0)
			out := filepath.Join(dir, args[0]+".json")
			code, stdout, stderr := execMain(t, context.Background(), append(args, "-q", "-o", out)...)
			if code != exitRunFailed {
				t.Errorf("exit %d, want 3", code)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "bploadgen: https://127.0.0.1:") ||
				!strings.Contains(stderr, "certificate does not verify") || !strings.Contains(stderr, "-k/--insecure") {
				t.Errorf("stderr is not the one line: %q", stderr)
			}
			t.Logf("stderr: %s", stderr)
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("a result was written: %v", err)
			}
			if conns.Load() != 1 || served.Load() != 0 {
				t.Errorf("the target accepted %d connections and served %d requests; want the handshake's one and none", conns.Load(), served.Load())
			}
		})
	}

	for _, tt := range []struct {
		flags []string
		want  string
	}{
		{[]string{"-k"}, "HTTP/1.1"},
		{[]string{"--insecure", "--http2"}, "HTTP/2.0"},
	} {
		out := filepath.Join(dir, "ok.json")
		args := append([]string{"run", url + "/", "--rate", "20", "--duration", "500ms", "-q", "-o", out}, tt.flags...)
		served.Store(0)
		code, _, stderr := execMain(t, context.Background(), args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", tt.flags, code, stderr)
		}
		if r := mustReadResult(t, out); r.Protocol != tt.want || r.Total.Status["200"] != 10 || served.Load() != 10 {
			t.Errorf("%v: protocol %q (want %q), status %v, served %d", tt.flags, r.Protocol, tt.want, r.Total.Status, served.Load())
		}
	}
}
