package main

import (
	"io"
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
	now              func() time.Time
}

func newStdEnv() *env {
	return &env{
		stdin:            os.Stdin,
		stdout:           os.Stdout,
		stderr:           os.Stderr,
		stderrIsTerminal: term.IsTerminal(int(os.Stderr.Fd())),
		now:              time.Now,
	}
}
