//go:build unix

package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestSecondSignalKills: the first SIGTERM stops a run gracefully, which
// against a server that never answers means waiting out --grace (a
// minute here); a second one ends the process at once, by the signal. The
// test sends SIGTERM every 50 ms once a request hangs at the server, so
// the second one comes after the first was taken, whatever the timing;
// a process that kept catching them would exit 130 after the grace.
func TestSecondSignalKills(t *testing.T) {
	hung := make(chan struct{})
	var once sync.Once
	got := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		once.Do(func() { close(got) })
		<-hung
	}))
	defer srv.Close()
	defer close(hung)

	c := exec.Command(os.Args[0], "run", srv.URL+"/", "--rate", "50", "--duration", "1m", "--grace", "1m", "-q",
		"-o", filepath.Join(t.TempDir(), "r.json"))
	c.Env = append(os.Environ(), "BPLOADGEN_AS_MAIN=1")
	var out strings.Builder
	c.Stdout, c.Stderr = &out, &out
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.Wait() }()
	select {
	case <-got:
	case err := <-exited:
		t.Fatalf("exited before any request reached the server: %v\n%s", err, out.String())
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		_ = c.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
			ws := c.ProcessState.Sys().(syscall.WaitStatus)
			if !ws.Signaled() || ws.Signal() != syscall.SIGTERM {
				t.Fatalf("want killed by the second SIGTERM, got %v\n%s", c.ProcessState, out.String())
			}
			return
		case <-tick.C:
		}
	}
}
