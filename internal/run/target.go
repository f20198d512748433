package run

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/targets"
)

// BuiltinTarget is an Options.Analyze for a run against the built-in
// target configured as cfg: the model takes its known c and K. The
// service time is the target's Server-Timing measurement, not the
// configured distribution: that one is nominal (a sleep overshoots or,
// compensated, undershoots it), and predicting with measured inputs is the
// rule (docs/queueing.md §8). Only when the target sent no Server-Timing does
// the configured distribution stand in. The model's notes say which.
func BuiltinTarget(cfg targets.Config) func(*result.Result) (*result.Analysis, error) {
	return func(r *result.Result) (*result.Analysis, error) {
		spec := analysis.ModelSpec{Workers: cfg.Workers}
		switch cfg.Policy {
		case targets.Unbounded:
			spec.Unbounded = true
		case targets.Deadline:
			spec.Mechanism, spec.QueueTimeout = "queue-timeout", cfg.QueueTimeout.Seconds()
		case targets.RateLimit:
			spec.Mechanism, spec.RateLimit, spec.Burst = "rate-limit", cfg.LimitRate, cfg.Burst
		case targets.AIMD:
			spec.Mechanism = "adaptive-limit"
		default:
			spec.Queue, spec.QueueKnown = cfg.Queue, true
		}
		measured := false
		for _, st := range r.Stages {
			measured = measured || (st.ServerTiming != nil && st.ServerTiming.Service.Count > 0)
		}
		if !measured {
			spec.ServiceMean, spec.ServiceSCV, spec.SCVKnown = cfg.Service.Mean, cfg.Service.SCV(), true
		}
		a, err := analysis.Analyze(r, spec)
		if err != nil {
			return nil, err
		}
		note := fmt.Sprintf("the target was configured with service %s; ", cfg.Service)
		if measured {
			note += fmt.Sprintf("that is nominal (sleep-based service misses it by the timer's over- or undershoot), so the model uses the %s the target measured and reported in Server-Timing",
				numfmt.Seconds(a.Model.ServiceMeanS))
		} else {
			note += "the target sent no Server-Timing, so the model uses that nominal value"
		}
		if a.Model.Notes != "" {
			note = a.Model.Notes + "; " + note
		}
		a.Model.Notes = note
		return a, nil
	}
}
