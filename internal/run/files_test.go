package run

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
)

// TestExecuteLogRequests: Execute creates the request log, writes the
// header and one line per scheduled request, and closes it; a log that
// cannot be created is a *FileError named log_requests, not invalid
// input, and nothing is sent.
func TestExecuteLogRequests(t *testing.T) {
	url, served := loopback(t)
	dir := t.TempDir()
	path := filepath.Join(dir, "requests.csv")
	pl := NewPlan(profile.RequestSpec{URL: url}, profile.Stage{Name: "a", Rate: 50, To: 50, Duration: 200 * time.Millisecond})
	r, err := Execute(context.Background(), pl, Options{Analyze: NoAnalysis, LogRequests: path})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(b), openloop.RequestLogHeader) {
		t.Errorf("log starts %q, want the header %q", string(b)[:min(len(b), 40)], openloop.RequestLogHeader)
	}
	lines := strings.Count(strings.TrimPrefix(string(b), openloop.RequestLogHeader), "\n")
	if lines == 0 || int64(lines) != r.Total.Scheduled {
		t.Errorf("%d request lines, want one per scheduled request (%d)", lines, r.Total.Scheduled)
	}

	before := served.Load()
	_, err = Execute(context.Background(), pl, Options{Analyze: NoAnalysis, LogRequests: filepath.Join(dir, "missing", "r.csv")})
	var fe *FileError
	var ie *InputError
	if !errors.As(err, &fe) || fe.Setting != "log_requests" || errors.As(err, &ie) {
		t.Fatalf("err = %v (%T), want a *FileError log_requests", err, err)
	}
	if !errors.Is(err, os.ErrNotExist) || strings.Contains(fe.Err.Error(), dir) {
		t.Errorf("Err = %q, want the reason (not exist) without the path", fe.Err)
	}
	if n := served.Load() - before; n != 0 {
		t.Errorf("%d requests sent after the log failed", n)
	}
}

// TestExecuteCPUProfile: Execute writes a CPU profile to the file given.
func TestExecuteCPUProfile(t *testing.T) {
	url, _ := loopback(t)
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	pl := NewPlan(profile.RequestSpec{URL: url}, profile.Stage{Name: "a", Rate: 20, To: 20, Duration: 100 * time.Millisecond})
	if _, err := Execute(context.Background(), pl, Options{Analyze: NoAnalysis, CPUProfile: path}); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Size() == 0 {
		t.Errorf("profile: %v, %v; want a non-empty file", fi, err)
	}
}
