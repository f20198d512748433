package main

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/bploadgen/bploadgen/internal/analysis"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
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
		o.fromNotes = append(o.fromNotes, fmt.Sprintf("the target sheds by %s (recognised with confidence %s): sized as one", m, queueing.FormatPercent(a.Shedding.Confidence)))
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
		return sizeRateLimit(e.stdout, spec, o)
	}
	z, err := queueing.SizeTimeout(spec, rand.New(rand.NewPCG(o.Seed, 0)))
	if err != nil {
		return usageError("size: %v", err)
	}
	if o.JSON {
		err = sizeTimeoutJSON(e.stdout, spec, z)
	} else {
		err = sizeTimeoutText(e.stdout, spec, o, z)
	}
	if err != nil {
		return runFailed(fmt.Errorf("size: %w", err))
	}
	if !z.Feasible {
		return &codedError{code: exitAssertFail, err: fmt.Errorf("size: the objectives cannot be met: %s", z.Reason)}
	}
	return nil
}

func sizeTimeoutText(w io.Writer, s queueing.SizeSpec, o *sizeOptions, z *queueing.TimeoutSizing) error {
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	label := queueing.QuantileLabel(s.SLO.Quantile)
	for i, n := range o.fromNotes {
		if i == 0 {
			p("From %s:\n", o.From)
		}
		p("  %s\n", n)
	}
	p("Sizing a queue timeout (wait at most D for a worker, then 503) for %.5g requests/s, service %s, %s\n",
		s.Rate, sizeDescribeService(s.Service), sizeArrivalName(s.ArrivalSCV))
	p("Objectives: %s for served requests, timeouts ≤ %s\n\n", s.SLO, queueing.FormatPercent(s.MaxReject))
	if !z.Feasible {
		p("NOT FEASIBLE: %s.\n", z.Reason)
		_, err := io.WriteString(w, b.String())
		return err
	}
	longest := "the " + label + " stays within the SLO with any longer one"
	if !math.IsInf(z.MaxTimeout, 1) {
		longest = "up to " + queueing.FormatSeconds(z.MaxTimeout) + " keeps the " + label + " within the SLO"
	}
	p("  workers        %d\n", z.Workers)
	p("  queue timeout  %s (the shortest that keeps timeouts ≤ %s; %s)\n",
		sizeDuration(z.Timeout), queueing.FormatPercent(s.MaxReject), longest)
	p("  utilisation    %s offered (λ·E[S]/c)\n", queueing.FormatPercent(z.Utilization))
	p("  predicted      %s %s, mean %s (served requests); %s timed out\n", label, z.ResponseSLO.FormatSeconds(), z.ResponseMean.FormatSeconds(), z.Abandon.FormatPercent())
	p("  model          %s, %s\n", z.Model, z.Method)
	p("\nTry it: bploadgen target --workers %d --policy deadline --queue-timeout %s --service %s\n", z.Workers, sizeDuration(z.Timeout), sizeServiceSpec(s.Service))
	_, err := io.WriteString(w, b.String())
	return err
}

func sizeTimeoutJSON(w io.Writer, s queueing.SizeSpec, z *queueing.TimeoutSizing) error {
	out := map[string]any{
		"mechanism": "queue-timeout", "workers": z.Workers, "queue_timeout_s": z.Timeout, "utilization": z.Utilization,
		"model": z.Model, "method": z.Method, "feasible": z.Feasible,
		"predicted": map[string]float64{"response_slo_s": z.ResponseSLO.Value, "response_mean_s": z.ResponseMean.Value, "timeout_ratio": z.Abandon.Value},
	}
	if !math.IsInf(z.MaxTimeout, 1) {
		out["max_queue_timeout_s"] = z.MaxTimeout
	}
	if z.Reason != "" {
		out["reason"] = z.Reason
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(out)
}

// sizeRateLimit prints the highest rate the workers serve within the SLO,
// what a rate limit in front of them should let through.
func sizeRateLimit(w io.Writer, s queueing.SizeSpec, o *sizeOptions) error {
	if s.Workers < 1 {
		return usageError("size --mechanism rate-limit: give --workers, the workers behind the limit (a rate-limited run does not show them)")
	}
	rate, err := queueing.MaxRateForSLO(s.Workers, s.Service, 1, s.SLO, s.MaxUtilization)
	if err != nil {
		return usageError("size: %v", err)
	}
	refused := queueing.TokenBucketFloor(s.Rate, rate)
	if o.JSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		err = enc.Encode(map[string]any{"mechanism": "rate-limit", "workers": s.Workers, "rate_rps": rate, "refused_ratio": refused, "feasible": rate > 0})
	} else {
		var b strings.Builder
		fmt.Fprintf(&b, "Sizing a rate limit in front of %d workers, service %s, for %s\n\n", s.Workers, sizeDescribeService(s.Service), s.SLO)
		if rate > 0 {
			fmt.Fprintf(&b, "  rate limit  %.5g requests/s: the most %d workers serve within %s (Poisson arrivals behind the limit, a conservative model)\n", rate, s.Workers, s.SLO)
			fmt.Fprintf(&b, "  refused     %s of %.5g requests/s offered (1 − R/λ)\n", queueing.FormatPercent(refused), s.Rate)
			fmt.Fprintf(&b, "\nTry it: bploadgen target --workers %d --policy ratelimit --limit %.4g --burst %d --service %s\n", s.Workers, rate, s.Workers, sizeServiceSpec(s.Service))
		} else {
			fmt.Fprintf(&b, "NOT FEASIBLE: the service time alone breaks %s.\n", s.SLO)
		}
		_, err = io.WriteString(w, b.String())
	}
	if err != nil {
		return runFailed(fmt.Errorf("size: %w", err))
	}
	if rate <= 0 {
		return &codedError{code: exitAssertFail, err: fmt.Errorf("size: the service time alone breaks %s", s.SLO)}
	}
	return nil
}
