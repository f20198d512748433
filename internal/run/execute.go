package run

import (
	"context"
	"fmt"
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
	reqLog, err := createRequestLog(o.LogRequests, p.requestName(runSecrets(p, o.Scrape)))
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
	if err := o.Validate(nil); err != nil {
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
	doer.Close() // every connection closed counts its TCP retransmissions
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
	r.TCPRetransmits = doer.Retransmits()
	r.TimerSlackS = rec.TimerSlack.Seconds()
	for _, w := range []string{churnWarning(r), retransWarning(r)} { // churn.go, retrans.go
		if w != "" {
			r.Warnings = append(r.Warnings, w)
		}
	}
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
			BodyBytes: p.bodyBytes(), // mix.go
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
