package capacity

import (
	"context"
	"fmt"
	"time"

	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/run"
)

// RunProber carries out segments with internal/run: each is one open-loop
// run of a plan of explicit stages (a warm-up, then the measured batches)
// with every request accounted for, like `bploadgen run`.
type RunProber struct {
	// Plan is the request and its settings (arrival, seed, in-flight
	// bound, timeout); its stages and gates are replaced per segment.
	// Segment k (1-based, over the whole search) is seeded Seed + k − 1,
	// so the same seed repeats the same schedules.
	Plan    *run.Plan
	Options run.Options
}

var _ Prober = (*RunProber)(nil)

// Run executes one segment.
func (rp *RunProber) Run(ctx context.Context, s Segment) (*Measured, error) {
	if s.Batches < 1 || s.Measure <= 0 || !(s.Rate > 0) {
		return nil, fmt.Errorf("segment %d: want a rate, a measured length and batches", s.Seq)
	}
	pl := *rp.Plan
	pl.Kind, pl.Asserts = "stages", nil
	pl.Seed = rp.Plan.Seed + int64(s.Seq) - 1
	pl.Stages = nil
	if s.Warmup > 0 {
		pl.Stages = append(pl.Stages, profile.Stage{Name: "warm-up", Rate: s.Rate, To: s.Rate, Duration: s.Warmup})
	}
	part := s.Measure / time.Duration(s.Batches)
	for i := range s.Batches {
		d := part
		if i == s.Batches-1 {
			d = s.Measure - part*time.Duration(s.Batches-1)
		}
		pl.Stages = append(pl.Stages, profile.Stage{Name: fmt.Sprintf("probe %d batch %d", s.Probe, i+1), Rate: s.Rate, To: s.Rate, Duration: d})
	}
	opts := rp.Options
	opts.Analyze = run.NoAnalysis
	r, err := run.Execute(ctx, &pl, opts)
	if err != nil {
		return nil, err
	}
	skip := len(r.Stages) - s.Batches
	n2xx, _ := result.Count(r.Total.Status, nil, 0, "2xx")
	return &Measured{
		Batches: r.Stages[skip:], Timeline: r.Timeline, MeasureStartS: s.Warmup.Seconds(),
		Samples: r.Samples, Warnings: r.Warnings, Interrupted: r.Interrupted, Target: r.Target,
		GeneratorLimited: r.GeneratorLimited, Served2xx: n2xx, ElapsedS: r.ElapsedS,
	}, nil
}

// Run is the search against a real target: Search with a RunProber of pl
// and o on the system clock. It completes the document with o.Tool, the
// plan's seed, and the plan's request as the target when no probe
// recorded one.
func Run(ctx context.Context, cfg Config, pl *run.Plan, o run.Options) (*result.Capacity, error) {
	doc, err := Search(ctx, cfg, &RunProber{Plan: pl, Options: o}, SystemClock{})
	if doc != nil {
		doc.Tool, doc.Seed = o.Tool, pl.Seed
		if doc.Target.URL == "" {
			doc.Target = result.Target{URL: profile.RedactURL(pl.Request.URL), Method: pl.Request.Method}
		}
	}
	return doc, err
}

// SystemClock is the wall clock.
type SystemClock struct{}

var _ Clock = SystemClock{}

// Now is time.Now.
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep waits d or until ctx is done.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
