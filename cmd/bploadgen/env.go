package main

import (
	"context"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/term"
)

// env is everything a command needs from the outside world. Tests build
// their own, so the whole tool runs inside `go test`.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
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

func newStdEnv() *env {
	return &env{
		stdin:            os.Stdin,
		stdout:           os.Stdout,
		stderr:           os.Stderr,
		stderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		stdoutIsTerminal: term.IsTerminal(int(os.Stdout.Fd())),
		now:              time.Now,
		lookupHost:       net.DefaultResolver.LookupHost,
		getenv:           os.Getenv,
	}
}
