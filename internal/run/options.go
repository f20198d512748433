package run

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Options are how a plan is carried out: everything that is not the plan.
// The zero value is usable: the automatic client, a 2 s grace, no scrape,
// the capacity analysis estimated from the result, the system resolver.
type Options struct {
	Tool            result.Tool     // who ran it, recorded in the result
	Client          openloop.Client // "" or auto: chosen from the URL and the peak rate
	HTTP2, Insecure bool            // allow HTTP/2 over TLS; skip certificate checks
	// Grace is how long an interrupted run waits for the requests in
	// flight before abandoning them; 0 means DefaultGrace.
	Grace time.Duration
	// Scrape is the target's Prometheus endpoint, sampled every second into
	// the timeline; "" for none. ScrapeMetrics keeps only these metrics.
	Scrape        string
	ScrapeMetrics []string
	// LogRequests, if set, is a file Execute creates first of all and
	// closes at the end, with one CSV line per scheduled request
	// (openloop.RequestLog); its errors are *FileError "log_requests".
	LogRequests string
	// CPUProfile, if set, is a file for a Go CPU profile of Execute
	// (bploadgen's own performance work).
	CPUProfile string
	// Progress, if set, is called every ProgressInterval while the engine
	// runs, from a goroutine of its own, and once more with final true when
	// it stopped (a live display clears its line then).
	Progress func(p Progress, final bool)
	// LookupHost resolves the target's host name before anything is sent;
	// nil: net.DefaultResolver.LookupHost.
	LookupHost func(ctx context.Context, host string) ([]string, error)
	// Analyze is the capacity analysis stored in the result; nil estimates
	// everything from the result (analysis.Auto). An error becomes a
	// warning of the result: the analysis never fails a run.
	Analyze func(*result.Result) (*result.Analysis, error)
	// MetricsListen, if set, serves the run's live metrics (package live)
	// at /metrics on this host:port from before anything is sent until the
	// run ends, then for MetricsLinger more (cut short by ctx), so a last
	// scrape sees the final values. MetricsListening, if set, is told the
	// address bound (port 0 picks one).
	MetricsListen    string
	MetricsLinger    time.Duration
	MetricsListening func(addr string)
	// Stream, if set, receives the timeline as JSON lines while the run
	// goes (live.Stream): one line per 1-second window as soon as every
	// request intended in it has ended, then the totals.
	Stream io.Writer
	// TimerSlack lets an arrival be sent up to this late so that arrivals
	// close together share a wake-up (openloop.Config.TimerSlack); 0: none;
	// SlackAuto: as late as the machine's sleeps end anyway.
	TimerSlack time.Duration
	// Loops is how many event loops send the load (client loop); 0: as
	// openloop.AutoLoops decides from the peak rate and GOMAXPROCS.
	Loops int
	// WakePerResponse makes the event loop wake for each response instead
	// of timing it by the kernel's receive timestamp (for measurements).
	WakePerResponse bool
}

// Progress is a snapshot of a run in flight: elapsed and planned time,
// requests scheduled, sent, done, not sent, and in flight now.
type Progress = openloop.Progress

// ProgressInterval is how often Options.Progress is called.
const ProgressInterval = 250 * time.Millisecond

// SlackAuto, as Options.TimerSlack, is the CLI's default: the event loop's
// timer slack is the kernel's for its thread or the wake-up latency it
// measures as it runs, the larger (openloop.SlackAuto); the worker pool
// takes it as none.
const SlackAuto = openloop.SlackAuto

// NoAnalysis is an Options.Analyze that stores no capacity analysis (a
// search that only reads the stages saves its cost).
func NoAnalysis(*result.Result) (*result.Analysis, error) { return nil, nil }

// WithModel is an Options.Analyze that analyses with the target's model
// given (workers, queue, service time); what spec leaves out is estimated.
func WithModel(spec analysis.ModelSpec) func(*result.Result) (*result.Analysis, error) {
	return func(r *result.Result) (*result.Analysis, error) { return analysis.Analyze(r, spec) }
}

// Validate checks the options as Execute does before anything is sent:
// no negative grace, linger, timer slack or loop count, a linger only with
// an endpoint, a scrape URL that is http(s). Errors are *InputError and
// name settings with name (nil: by their keys: grace, timer_slack, loops,
// metrics_linger, metrics_listen, scrape).
func (o *Options) Validate(name func(setting string) string) error {
	if name == nil {
		name = keyName
	}
	switch {
	case o.Grace < 0:
		return invalid(fmt.Errorf("%s must be > 0", name("grace")))
	case o.TimerSlack < 0 && o.TimerSlack != SlackAuto:
		return invalid(fmt.Errorf("%s must be >= 0", name("timer_slack")))
	case o.Loops < 0:
		return invalid(fmt.Errorf("%s must be >= 0", name("loops")))
	case o.MetricsLinger < 0:
		return invalid(fmt.Errorf("%s must be >= 0", name("metrics_linger")))
	case o.MetricsLinger > 0 && o.MetricsListen == "":
		return invalid(fmt.Errorf("%s needs %s", name("metrics_linger"), name("metrics_listen")))
	}
	if o.Scrape != "" {
		if err := profile.ValidateURL(o.Scrape); err != nil {
			return invalid(fmt.Errorf("%s: %w", name("scrape"), err))
		}
	}
	return nil
}
