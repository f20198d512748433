package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/sizing"
)

// TimeoutSizing is what `size --mechanism queue-timeout` reports.
type TimeoutSizing struct {
	Spec      sizing.Spec
	Result    *sizing.TimeoutSizing
	From      string
	FromNotes []string
}

// WriteTimeoutSizingText prints the workers and queue timeout for people.
func WriteTimeoutSizingText(w io.Writer, in TimeoutSizing) error {
	s, z := in.Spec, in.Result
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	label := numfmt.Quantile(s.SLO.Quantile)
	for i, n := range in.FromNotes {
		if i == 0 {
			p("From %s:\n", in.From)
		}
		p("  %s\n", n)
	}
	p("Sizing a queue timeout (wait at most D for a worker, then 503) for %.5g requests/s, service %s, %s\n",
		s.Rate, describeService(s.Service), arrivalName(s.ArrivalSCV))
	p("Objectives: %s for served requests, timeouts ≤ %s\n\n", s.SLO, numfmt.Share(s.MaxReject))
	if !z.Feasible {
		p("NOT FEASIBLE: %s.\n", z.Reason)
		_, err := io.WriteString(w, b.String())
		return err
	}
	longest := "the " + label + " stays within the SLO with any longer one"
	if !math.IsInf(z.MaxTimeout, 1) {
		longest = "up to " + numfmt.Seconds(z.MaxTimeout) + " keeps the " + label + " within the SLO"
	}
	p("  workers        %d\n", z.Workers)
	p("  queue timeout  %s (the shortest that keeps timeouts ≤ %s; %s)\n", numfmt.GoDuration(z.Timeout), numfmt.Share(s.MaxReject), longest)
	p("  utilisation    %s offered (λ·E[S]/c)\n", numfmt.Share(z.Utilization))
	p("  predicted      %s %s, mean %s (served requests); %s timed out\n", label,
		numfmt.Interval(z.ResponseSLO.Value, z.ResponseSLO.HalfWidth), numfmt.Interval(z.ResponseMean.Value, z.ResponseMean.HalfWidth),
		numfmt.ShareInterval(z.Abandon.Value, z.Abandon.HalfWidth))
	p("  model          %s, %s\n", z.Model, z.Method)
	p("\nTry it: bploadgen target --workers %d --policy deadline --queue-timeout %s --service %s\n", z.Workers, numfmt.GoDuration(z.Timeout), s.Service.Rounded())
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteTimeoutSizingJSON prints the same for scripts.
func WriteTimeoutSizingJSON(w io.Writer, in TimeoutSizing) error {
	z := in.Result
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

// RateLimitSizing is what `size --mechanism rate-limit` reports: the
// highest rate the spec's workers serve within the SLO.
type RateLimitSizing struct {
	Spec sizing.Spec
	Rate float64 // 0: infeasible (the service alone breaks the SLO)
}

// WriteRateLimitSizing prints it as text or, with asJSON, JSON.
func WriteRateLimitSizing(w io.Writer, in RateLimitSizing, asJSON bool) error {
	s := in.Spec
	refused := math.Max(0, 1-in.Rate/s.Rate)
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"mechanism": "rate-limit", "workers": s.Workers, "rate_rps": in.Rate, "refused_ratio": refused, "feasible": in.Rate > 0})
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Sizing a rate limit in front of %d workers, service %s, for %s\n\n", s.Workers, describeService(s.Service), s.SLO)
	if in.Rate > 0 {
		fmt.Fprintf(&b, "  rate limit  %.5g requests/s: the most %d workers serve within %s (Poisson arrivals behind the limit, a conservative model)\n", in.Rate, s.Workers, s.SLO)
		fmt.Fprintf(&b, "  refused     %s of %.5g requests/s offered (1 − R/λ)\n", numfmt.Share(refused), s.Rate)
		fmt.Fprintf(&b, "\nTry it: bploadgen target --workers %d --policy ratelimit --limit %.4g --burst %d --service %s\n", s.Workers, in.Rate, s.Workers, s.Service.Rounded())
	} else {
		fmt.Fprintf(&b, "NOT FEASIBLE: the service time alone breaks %s.\n", s.SLO)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
