package run

import (
	"errors"
	"os"
	"runtime/pprof"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/redact"
)

// FileError is a file of the Options (the request log) that could not be
// created or written: the run could not be carried out. Setting names it
// ("log_requests"); the caller says it in its own words.
type FileError struct {
	Setting string
	// Err is why: for a file that could not be created, the reason without
	// the path (the setting names the file).
	Err error
}

func (e *FileError) Error() string { return e.Setting + ": " + e.Err.Error() }
func (e *FileError) Unwrap() error { return e.Err }

// startCPUProfile starts a Go CPU profile into the file at path ("":
// none); stop ends it and closes the file.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}

// requestLogFile is the request log (Options.LogRequests) and its file.
type requestLogFile struct {
	log *openloop.RequestLog
	f   *os.File
}

// createRequestLog creates the request log's file at path; "": none
// (nil). name, if not nil, names each arrival's request (openloop.NewRequestLog).
func createRequestLog(path string, name func(seq int64) string) (*requestLogFile, error) {
	if path == "" {
		return nil, nil
	}
	f, err := os.Create(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, &FileError{Setting: "log_requests", Err: err}
	}
	return &requestLogFile{log: openloop.NewRequestLog(f, name), f: f}, nil
}

// close flushes the log and closes its file; the error is the flush's.
func (l *requestLogFile) close() error {
	err := l.log.Close()
	l.f.Close()
	if err != nil {
		return &FileError{Setting: "log_requests", Err: err}
	}
	return nil
}

// requestName names each arrival's request for the request log, as the
// result's by_request names it (with sec's secrets hidden); nil without a
// breakdown by request.
func (p *Plan) requestName(sec *redact.Secrets) func(seq int64) string {
	names := p.requestNames()
	if names == nil {
		return nil
	}
	shown := make([]string, len(names))
	for i, n := range names {
		shown[i] = sec.String(n)
	}
	set := p.Mix.Set
	return func(seq int64) string { return shown[set.NameOf(set.Choose(uint64(seq)))] }
}
