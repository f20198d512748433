package main

import (
	"fmt"
	"os"

	"github.com/bploadgen/bploadgen/internal/live"
	"github.com/bploadgen/bploadgen/internal/run"
)

// liveOptions checks --metrics-listen, --metrics-linger and --stream, opens
// the stream and puts them into opts. closeStream closes the stream's file
// (nothing for stdout); the returned env is the one the outputs use: with
// --stream - the summary moves to stderr, so stdout holds only JSON lines.
func (o *runOptions) liveOptions(e *env, opts *run.Options) (fe *env, closeStream func() error, err error) {
	fe, closeStream = e, func() error { return nil }
	if o.MetricsLinger < 0 {
		return nil, nil, usageError("--metrics-linger must be >= 0")
	}
	if o.MetricsLinger > 0 && o.MetricsListen == "" {
		return nil, nil, usageError("--metrics-linger needs --metrics-listen")
	}
	if o.MetricsListen != "" {
		if !live.Loopback(o.MetricsListen) {
			fmt.Fprintf(e.stderr, "bploadgen: warning: --metrics-listen %s is not a loopback address: anyone who can reach it sees the run's metrics and the target URL (redacted)\n", o.MetricsListen)
		}
		opts.MetricsListen, opts.MetricsLinger = o.MetricsListen, o.MetricsLinger
		opts.MetricsListening = func(addr string) {
			fmt.Fprintf(e.stderr, "bploadgen: serving metrics at http://%s/metrics\n", addr)
		}
	}
	switch o.Stream {
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
		if o.Stream == o.Out {
			return nil, nil, usageError("--stream and -o name the same file %q", o.Out)
		}
		f, err := os.Create(o.Stream)
		if err != nil {
			return nil, nil, runFailed(fmt.Errorf("--stream: %v", unwrapPathError(err)))
		}
		opts.Stream, closeStream = f, f.Close
	}
	return fe, closeStream, nil
}
