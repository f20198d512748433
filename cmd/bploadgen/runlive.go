package main

import (
	"fmt"
	"os"

	"github.com/bploadgen/bploadgen/internal/live"
	"github.com/bploadgen/bploadgen/internal/run"
)

// liveOptions warns of a --metrics-listen that is not loopback, checks
// --stream - (checkFiles keeps a stream file apart from the others), opens
// the stream and puts them into opts. closeStream closes the stream's file
// (nothing for stdout); the returned env is the one the outputs use: with
// --stream - the summary moves to stderr, so stdout holds only JSON lines.
func (o *runOptions) liveOptions(e *env, opts *run.Options) (fe *env, closeStream func() error, err error) {
	fe, closeStream = e, func() error { return nil }
	if o.MetricsListen != "" {
		if !live.Loopback(o.MetricsListen) {
			fmt.Fprintf(e.stderr, "bploadgen: warning: --metrics-listen %s is not a loopback address: anyone who can reach it sees the run's metrics and the target URL (redacted)\n", o.MetricsListen)
		}
		opts.MetricsListening = func(addr string) {
			fmt.Fprintf(e.stderr, "bploadgen: serving metrics at http://%s/metrics\n", addr)
		}
	}
	switch o.StreamTo {
	case "":
	case "-":
		if o.Out == "" || o.Out == "-" || o.Files.UsesStdout() {
			return nil, nil, usageError("--stream - writes to standard output: write the result to a file with -o FILE, and no report to -")
		}
		opts.Stream = e.stdout
		moved := *e
		moved.stdout, moved.stdoutIsTerminal = e.stderr, e.stderrIsTerminal
		fe = &moved
	default:
		f, err := os.Create(o.StreamTo)
		if err != nil {
			return nil, nil, runFailed(fmt.Errorf("--stream: %v", unwrapPathError(err)))
		}
		opts.Stream, closeStream = f, f.Close
	}
	return fe, closeStream, nil
}
