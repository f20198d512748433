package main

import (
	"errors"
	"fmt"

	"github.com/bploadgen/bploadgen/internal/run"
)

// Exit codes: the one table (docs/cli.md), printed by --help and the
// README. Commands return errors; only exitCode turns them into a number.
const (
	exitOK          = 0   // ran, and every assertion held
	exitAssertFail  = 1   // ran, and at least one assertion failed
	exitUsage       = 2   // usage error or invalid input: nothing was sent
	exitRunFailed   = 3   // the run could not be carried out
	exitInterrupted = 130 // interrupted: the partial result is still written
)

// exitCodeHelp is the table for --help (help/exit-codes.txt).
func exitCodeHelp() string { return helpFile("help/exit-codes.txt") }

// codedError carries an exit code with an error.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// usageError marks invalid input (exit 2).
func usageError(format string, args ...any) error {
	return &codedError{code: exitUsage, err: fmt.Errorf(format, args...)}
}

// asUsage marks an existing error as invalid input (exit 2).
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return &codedError{code: exitUsage, err: err}
}

// runFailed marks an error that stopped the run from being carried out
// (exit 3); an error that already carries a code keeps it, and so does
// invalid input found by the run package.
func runFailed(err error) error {
	var ce *codedError
	var ie *run.InputError
	if err == nil || errors.As(err, &ce) || errors.As(err, &ie) {
		return err
	}
	var te *run.TLSError
	if errors.As(err, &te) && te.Verify {
		err = fmt.Errorf("%w (-k/--insecure skips the check)", err)
	}
	return &codedError{code: exitRunFailed, err: err}
}

// errAssertions is returned when the run completed and an assertion failed;
// the failures themselves were already reported.
var errAssertions = &codedError{code: exitAssertFail, err: errors.New("assertions failed")}

// errInterrupted is returned when a signal stopped the run; the partial
// result was already written.
var errInterrupted = &codedError{code: exitInterrupted, err: errors.New("interrupted")}

// exitCode maps an error returned by a command to the process exit code:
// invalid input found by the run package (run.InputError) is 2, and errors
// nobody classified are failures to carry out the run (3).
func exitCode(err error) int {
	if err == nil {
		return exitOK
	}
	var ce *codedError
	if errors.As(err, &ce) {
		return ce.code
	}
	var ie *run.InputError
	if errors.As(err, &ie) {
		return exitUsage
	}
	return exitRunFailed
}

// silent reports whether err was already reported and needs no message.
func silent(err error) bool {
	return err == errAssertions || err == errInterrupted
}
