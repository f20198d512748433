package run

import (
	"context"
	"time"

	"github.com/bploadgen/bploadgen/internal/live"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// liveRun is what watches a run while it runs (package live): the metrics
// endpoint (Options.MetricsListen) and the timeline stream (Options.Stream).
// Its fields are nil when not asked for.
type liveRun struct {
	metrics *live.Metrics
	srv     *live.Server
	stream  *live.Stream
}

// startLive binds the metrics endpoint (before anything is sent) and
// prepares the stream. The endpoint exposes the target URL redacted.
func startLive(p *Plan, o *Options, sec *redact.Secrets) (*liveRun, error) {
	l := &liveRun{}
	if o.Stream != nil {
		l.stream = live.NewStream(o.Stream)
	}
	if o.MetricsListen == "" {
		return l, nil
	}
	m, reg := live.NewMetrics(sec.String(profile.RedactURL(p.Request.URL)))
	srv, err := live.Listen(o.MetricsListen, reg)
	if err != nil {
		return nil, err
	}
	l.metrics, l.srv = m, srv
	if o.MetricsListening != nil {
		o.MetricsListening(srv.Addr())
	}
	return l, nil
}

// configure adds the live hooks to the engine's: the metrics after any
// OnDone already set (the request log), the stream as OnWindow.
func (l *liveRun) configure(cfg *openloop.Config) {
	if l.metrics != nil {
		cfg.OnDone = chainOnDone(cfg.OnDone, l.metrics.Observe)
	}
	if l.stream != nil {
		cfg.OnWindow = l.stream.Window
	}
}

// bind points the metrics at the engine, the plan and the client.
func (l *liveRun) bind(eng *openloop.Engine, sched *schedule.Schedule, doer openloop.ClosableDoer) {
	if l.metrics == nil {
		return
	}
	l.metrics.Bind(live.Source{Progress: eng.Progress, Schedule: sched,
		Retries: func() int64 { _, r := doer.Dials(); return r }})
}

// finish writes the stream's last line (the totals); a stream that failed
// becomes a warning of the result.
func (l *liveRun) finish(r *result.Result) {
	if l.stream == nil {
		return
	}
	l.stream.Total(r.Total)
	if err := l.stream.Err(); err != nil {
		r.Warnings = append(r.Warnings, "the live stream stopped: "+err.Error())
	}
}

// close keeps the metrics served for linger (cut short by ctx), then
// stops serving.
func (l *liveRun) close(ctx context.Context, linger time.Duration) {
	if l.srv == nil {
		return
	}
	l.srv.Linger(ctx, linger)
	_ = l.srv.Close()
	l.srv = nil
}

// chainOnDone calls a then b; either may be nil.
func chainOnDone(a, b func(schedule.Arrival, time.Duration, time.Duration, *openloop.Response)) func(schedule.Arrival, time.Duration, time.Duration, *openloop.Response) {
	if a == nil {
		return b
	}
	return func(x schedule.Arrival, s, e time.Duration, r *openloop.Response) { a(x, s, e, r); b(x, s, e, r) }
}
