package main

import (
	"context"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/bploadgen/bploadgen/internal/termout"
)

// env is everything a command needs from the outside world. Tests build
// their own, so the whole tool runs inside `go test`.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// live is where the live progress line goes, escape codes and all:
	// the terminal itself (stderr, unfiltered); nil: stderr.
	live io.Writer
	// stderrIsTerminal enables the live progress line.
	stderrIsTerminal bool
	// stdoutIsTerminal: warnings in the summary are already on screen.
	stdoutIsTerminal bool
	now              func() time.Time
	// getenv reads an environment variable.
	getenv func(string) string
	// lookupHost resolves a host name (net.DefaultResolver in real runs).
	lookupHost func(ctx context.Context, host string) ([]string, error)
}

// newStdEnv is the process's; what goes to a terminal is filtered of
// control characters (termout), but the live progress line.
func newStdEnv() *env {
	e := &env{
		stdin:            os.Stdin,
		stdout:           os.Stdout,
		stderr:           os.Stderr,
		live:             os.Stderr,
		stderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		stdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		now:              time.Now,
		lookupHost:       net.DefaultResolver.LookupHost,
		getenv:           os.Getenv,
	}
	if e.stdoutIsTerminal {
		e.stdout = termout.Filter(os.Stdout)
	}
	if e.stderrIsTerminal {
		e.stderr = termout.Filter(os.Stderr)
	}
	return e
}

// liveOut is where live displays write.
func (e *env) liveOut() io.Writer {
	if e.live != nil {
		return e.live
	}
	return e.stderr
}
