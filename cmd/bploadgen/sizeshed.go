package main

import (
	"fmt"
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/report"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/sizing"
)

// sizeMechanism is the mechanism `size` sizes for: --mechanism, else the
// one recognised in --from's result; "" for the bounded queue (Size).
func (o *sizeOptions) sizeMechanism() (string, error) {
	switch o.Mechanism {
	case "", "bounded-queue":
	case "queue-timeout", "rate-limit":
		return o.Mechanism, nil
	default:
		return "", usageError("size: --mechanism must be bounded-queue, queue-timeout or rate-limit, got %q", o.Mechanism)
	}
	if o.Mechanism != "" || o.From == "" {
		return "", nil
	}
	r, err := result.ReadFile(o.From)
	if err != nil {
		return "", usageError("size --from: %v", err)
	}
	a, err := analysis.Analyze(r, analysis.ModelSpec{})
	if err != nil || a.Shedding == nil {
		return "", nil
	}
	if m := a.Shedding.Mechanism; m == "queue-timeout" || m == "rate-limit" {
		o.fromNotes = append(o.fromNotes, fmt.Sprintf("the target sheds by %s (recognised with confidence %s): sized as one", m, numfmt.Share(a.Shedding.Confidence)))
		return m, nil
	}
	return "", nil
}

// sizeShedRun sizes a queue-timeout server (workers and timeout) or a rate
// limit (the rate c workers serve within the SLO).
func sizeShedRun(e *env, o *sizeOptions, mech string) error {
	why := o.fromNotes
	spec, err := o.spec()
	if err != nil {
		return err
	}
	o.fromNotes = append(o.fromNotes, why...)
	if mech == "rate-limit" {
		if spec.Workers < 1 {
			return usageError("size --mechanism rate-limit: give --workers, the workers behind the limit (a rate-limited run does not show them)")
		}
		rate, err := sizing.MaxRateForSLO(spec.Workers, spec.Service, 1, spec.SLO, spec.MaxUtilization)
		if err != nil {
			return usageError("size: %v", err)
		}
		if err := report.WriteRateLimitSizing(e.stdout, report.RateLimitSizing{Spec: spec, Rate: rate}, o.JSON); err != nil {
			return runFailed(fmt.Errorf("size: %w", err))
		}
		if rate <= 0 {
			return &codedError{code: exitAssertFail, err: fmt.Errorf("size: the service time alone breaks %s", spec.SLO)}
		}
		return nil
	}
	z, err := sizing.Timeout(spec, rand.New(rand.NewPCG(o.Seed, 0)))
	if err != nil {
		return usageError("size: %v", err)
	}
	out := report.TimeoutSizing{Spec: spec, Result: z, From: o.From, FromNotes: o.fromNotes}
	if o.JSON {
		err = report.WriteTimeoutSizingJSON(e.stdout, out)
	} else {
		err = report.WriteTimeoutSizingText(e.stdout, out)
	}
	if err != nil {
		return runFailed(fmt.Errorf("size: %w", err))
	}
	if !z.Feasible {
		return &codedError{code: exitAssertFail, err: fmt.Errorf("size: the objectives cannot be met: %s", z.Reason)}
	}
	return nil
}
