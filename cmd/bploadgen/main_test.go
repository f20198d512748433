package main

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// testEnv is an env with captured output. Host lookups resolve only
// localhost, so no test ever asks a real DNS server.
type testEnv struct {
	env
	out, errb *syncBuffer
}

// syncBuffer is a bytes.Buffer safe for the progress goroutine and the command.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newTestEnv() *testEnv {
	te := &testEnv{out: &syncBuffer{}, errb: &syncBuffer{}}
	te.env = env{
		stdin: strings.NewReader(""), stdout: te.out, stderr: te.errb, now: time.Now,
		getenv: func(string) string { return "" },
		lookupHost: func(_ context.Context, host string) ([]string, error) {
			if host == "localhost" {
				return []string{"127.0.0.1"}, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
		},
	}
	return te
}

// execMain runs bploadgen with args and returns the exit code, stdout, stderr.
func execMain(t *testing.T, ctx context.Context, args ...string) (int, string, string) {
	t.Helper()
	te := newTestEnv()
	code := Main(ctx, args, &te.env)
	return code, te.out.String(), te.errb.String()
}

// TestMain lets a test run this test binary as the bploadgen command
// (BPLOADGEN_AS_MAIN=1), for tests that need several real processes.
func TestMain(m *testing.M) {
	if os.Getenv("BPLOADGEN_AS_MAIN") == "1" {
		ctx, stop := signalContext()
		code := Main(ctx, os.Args[1:], newStdEnv())
		stop()
		os.Exit(code)
	}
	os.Exit(m.Run())
}

func TestVersion(t *testing.T) {
	code, out, _ := execMain(t, context.Background(), "version")
	if code != 0 || !strings.HasPrefix(out, "bploadgen ") || !strings.Contains(out, "go1.") {
		t.Fatalf("code %d out %q", code, out)
	}
}

func TestUnknownCommandIsUsage(t *testing.T) {
	code, _, errs := execMain(t, context.Background(), "bogus")
	if code != exitUsage || strings.Count(errs, "\n") != 1 {
		t.Fatalf("code %d stderr %q", code, errs)
	}
}

func TestExitCodeTable(t *testing.T) {
	if exitCode(nil) != 0 || exitCode(errAssertions) != 1 || exitCode(usageError("x")) != 2 ||
		exitCode(runFailed(errors.New("x"))) != 3 || exitCode(errInterrupted) != 130 || exitCode(errors.New("x")) != 3 {
		t.Fatal("exit code table broken")
	}
}
