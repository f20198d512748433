package run

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"runtime"
	"time"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/assert"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
	"github.com/bploadgen/bploadgen/internal/scrape"
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
	// close together share a wake-up (openloop.Config.TimerSlack); 0: none.
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

// NoAnalysis is an Options.Analyze that stores no capacity analysis (a
// search that only reads the stages saves its cost).
func NoAnalysis(*result.Result) (*result.Analysis, error) { return nil, nil }

// WithModel is an Options.Analyze that analyses with the target's model
// given (workers, queue, service time); what spec leaves out is estimated.
func WithModel(spec analysis.ModelSpec) func(*result.Result) (*result.Analysis, error) {
	return func(r *result.Result) (*result.Analysis, error) { return analysis.Analyze(r, spec) }
}

func (o *Options) validate() error {
	if o.Grace < 0 {
		return invalid(errors.New("grace must be > 0"))
	}
	if o.MetricsLinger < 0 {
		return invalid(errLinger)
	}
	if o.Scrape != "" {
		if err := profile.ValidateURL(o.Scrape); err != nil {
			return invalid(fmt.Errorf("scrape: %w", err))
		}
	}
	return nil
}

// Execute carries out the plan against its target and returns the result:
// the recording with the run's metadata, the capacity analysis (see
// Options.Analyze) and the verdicts of the plan's gates in Assertions.
// Before anything is sent it validates the plan and options (*InputError)
// and resolves the target's host. Cancelling ctx interrupts the run: the
// partial result comes back, Interrupted set, with a nil error.
func Execute(ctx context.Context, p *Plan, o Options) (res *result.Result, err error) {
	stopProfile, err := startCPUProfile(o.CPUProfile)
	if err != nil {
		return nil, err
	}
	defer stopProfile()
	reqLog, err := createRequestLog(o.LogRequests)
	if err != nil {
		return nil, err
	}
	if reqLog != nil {
		defer func() {
			if cerr := reqLog.close(); cerr != nil && err == nil {
				res, err = nil, cerr
			}
		}()
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if err := o.validate(); err != nil {
		return nil, err
	}
	lookup := o.LookupHost
	if lookup == nil {
		lookup = net.DefaultResolver.LookupHost
	}
	if err := resolveHost(ctx, lookup, p.Request.URL); err != nil {
		return nil, err
	}
	lv, err := startLive(p, &o, runSecrets(p, o.Scrape))
	if err != nil {
		return nil, err
	}
	defer lv.close(ctx, 0)
	r, err := record(ctx, p, &o, reqLog, lv)
	if err != nil {
		return nil, err
	}
	lv.finish(r)
	analyze := o.Analyze
	if analyze == nil {
		analyze = analysis.Auto
	}
	if a, err := analyze(r); err != nil {
		r.Warnings = append(r.Warnings, "capacity analysis: "+err.Error())
	} else {
		r.Analysis = a
	}
	if r.Assertions, err = assert.Evaluate(r, p.Asserts); err != nil {
		return nil, fmt.Errorf("evaluating assertions: %w", err)
	}
	lv.close(ctx, o.MetricsLinger)
	return r, nil
}

// loopParts builds the schedules of the event loops: loops of them (0:
// openloop.AutoLoops of the peak rate and GOMAXPROCS), each a disjoint part
// of this process's shard (openloop.LoopShards); nil for one loop.
func loopParts(segs []schedule.Segment, p *Plan, loops int, peak float64) ([]*schedule.Schedule, error) {
	if loops <= 0 {
		loops = openloop.AutoLoops(peak, runtime.GOMAXPROCS(0))
	}
	if loops == 1 {
		return nil, nil
	}
	var out []*schedule.Schedule
	for _, sh := range openloop.LoopShards(p.Shard, loops) {
		s, err := p.schedule(segs, sh)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// record runs the engine over the plan's schedule, with the scrape and the
// progress display beside it, and builds the result.
func record(ctx context.Context, p *Plan, o *Options, reqLog *requestLogFile, lv *liveRun) (*result.Result, error) {
	segs := segments(p)
	sched, err := p.schedule(segs, p.Shard) // mix.go: a replay's times, or the stages'

	if err != nil {
		return nil, err
	}
	header := http.Header{}
	for _, h := range p.Request.Headers {
		header.Add(h.Name, h.Value)
	}
	hc := openloop.HTTPConfig{
		Method: p.Request.Method, URL: p.Request.URL, Header: header, Body: p.Request.Body,
		Timeout: p.Timeout, MaxConns: p.MaxInFlight, HTTP2: o.HTTP2, Insecure: o.Insecure,
		PeakRate: p.peakRate() / float64(max(p.Shard.Count, 1)),
	}
	which, err := p.pickClient(o.Client) // mix.go: requests to other origins need net/http
	if err != nil {
		return nil, err
	}
	doer, client, err := openloop.NewDoer(which, hc)
	if err != nil {
		return nil, invalid(err)
	}
	defer doer.Close()
	if err := preflightTLS(ctx, hc); err != nil {
		return nil, err // before the schedule: nothing was sent
	}
	grace := o.Grace
	if grace == 0 {
		grace = DefaultGrace
	}
	sec := runSecrets(p, o.Scrape)
	cfg := openloop.Config{
		Schedule: sched, Doer: doer, MaxInFlight: p.MaxInFlight, Grace: grace,
		Clock: openloop.SystemClock{}, Redact: sec.String, StartAt: p.StartAt,
		EventLoop: client == openloop.ClientLoop, TimerSlack: o.TimerSlack,
		WakePerResponse: o.WakePerResponse,
		Retry:           p.Retry, RetrySeed: uint64(p.Seed),
	}
	if p.Mix != nil {
		cfg.Requests, cfg.ByRequest = p.Mix.Set, p.Mix.ByRequest
	}
	if cfg.EventLoop {
		if cfg.Parts, err = loopParts(segs, p, o.Loops, hc.PeakRate); err != nil {
			return nil, err
		}
		// A processor per loop and a spare (openloop.SpareProcs), even on
		// fewer CPUs: a loop then sleeps without giving its processor up,
		// which saves the runtime's monitor waking to take it back (more
		// CPU than the request on the measured machine: bench/README.md).
		if want := openloop.SpareProcs(len(cfg.Parts)); runtime.GOMAXPROCS(0) < want {
			defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(want))
		}
	}
	if reqLog != nil {
		cfg.OnDone = reqLog.log.Record
	}
	lv.configure(&cfg)
	eng, err := openloop.New(cfg)
	if err != nil {
		return nil, err
	}
	lv.bind(eng, sched, doer)
	stopProgress := startProgress(eng, o.Progress)
	var sc *scrape.Scraper
	stopScrape := func() {}
	if o.Scrape != "" {
		sc = scrape.New(o.Scrape, o.ScrapeMetrics)
		sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		done := make(chan struct{})
		start := time.Now()
		if p.StartAt.After(start) {
			start = p.StartAt
		}
		go func() { defer close(done); sc.Loop(sctx, start, time.Second) }()
		stopScrape = func() { cancel(); <-done }
	}
	rec := eng.Run(ctx)
	stopScrape()
	stopProgress()
	if rec.Err != nil {
		// The engine could not carry the plan out (the event loop failed):
		// a partial recording is not a result to gate on.
		return nil, fmt.Errorf("%w (%d of %d requests sent had completed or were recorded as failed)",
			rec.Err, rec.Total.Completed, rec.Total.Sent)
	}
	r := buildResult(p, rec, o.Tool)
	if p.Mix != nil && p.Mix.Replay != nil && p.Mix.Replay.Skipped > 0 {
		r.Warnings = append(r.Warnings, replaySkipped(p.Mix.Replay.Skipped))
	}
	r.Client = string(client)
	r.Protocol = doer.Protocol()
	r.Connections, r.Retries = doer.Dials()
	if sc != nil {
		r.Warnings = append(r.Warnings, sc.Apply(r.Timeline)...)
	}
	r.Redact(sec)
	return r, nil
}

// buildResult adds the run's metadata to the engine's recording.
func buildResult(p *Plan, rec *openloop.Recording, tool result.Tool) *result.Result {
	r := &result.Result{
		Schema: result.Schema,
		Tool:   tool,
		Target: result.Target{
			URL:       profile.RedactURL(p.Request.URL),
			Method:    p.Request.Method,
			Headers:   profile.RedactHeaders(p.Request.Headers),
			BodyBytes: len(p.Request.Body),
		},
		Arrival:          p.Arrival.String(),
		Seed:             p.Seed,
		StartedAt:        rec.StartedAt.UTC().Round(time.Millisecond),
		ElapsedS:         rec.Elapsed.Seconds(),
		Interrupted:      rec.Interrupted,
		Plan:             result.Plan{Profile: p.Kind},
		MaxInFlight:      p.MaxInFlight,
		RetryPolicy:      RetryRecord(p.Retry),
		TimeoutS:         p.Timeout.Seconds(),
		GeneratorLimited: rec.GeneratorLimited(),
		Warnings:         rec.Warnings,
		HDR:              result.DefaultHDRConfig(),
		Stages:           rec.Stages,
		Total:            rec.Total,
		Timeline:         rec.Timeline,
		Samples:          rec.Samples,
	}
	var start time.Duration
	for i, s := range p.Stages {
		r.Plan.Stages = append(r.Plan.Stages, result.PlanStage{Name: s.Name, StartS: start.Seconds(),
			DurationS: s.Duration.Seconds(), Rate: s.Rate, To: s.To})
		start += s.Duration
		r.Stages[i].Name = s.Name
	}
	r.DurationS = start.Seconds()
	if p.Shard.Count > 1 {
		r.Shard = &result.Shard{Index: p.Shard.Index, Count: p.Shard.Count}
	}
	return r
}

// resolveHost checks that the target's host name resolves.
func resolveHost(ctx context.Context, lookup func(context.Context, string) ([]string, error), raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if net.ParseIP(host) != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if _, err := lookup(ctx, host); err != nil {
		return fmt.Errorf("cannot resolve the target's host %q: %v", host, err)
	}
	return nil
}

// runSecrets are the secret values a run was given: the target URL's
// credentials and secret query values, secret-named headers' values, and
// the scrape URL's. Every output hides them wherever they show up.
func runSecrets(p *Plan, scrapeURL string) *redact.Secrets {
	sec := &redact.Secrets{}
	sec.AddURL(p.Request.URL)
	for _, h := range p.Request.Headers {
		sec.AddHeader(h.Name, h.Value)
	}
	sec.AddURL(scrapeURL)
	p.Mix.addSecrets(sec)
	return sec
}

// startProgress calls report every ProgressInterval until stopped, then
// once more with final true. A nil report does nothing.
func startProgress(eng *openloop.Engine, report func(Progress, bool)) (stop func()) {
	if report == nil {
		return func() {}
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(ProgressInterval)
		defer t.Stop()
		for {
			select {
			case <-done:
				report(eng.Progress(), true)
				return
			case <-t.C:
				report(eng.Progress(), false)
			}
		}
	}()
	return func() { close(done); <-finished }
}
