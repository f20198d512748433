package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/sizing"
)

// Sizing is what `bploadgen size` reports: the problem as given, the
// answer, and where the inputs taken from a saved result came from.
type Sizing struct {
	Spec      sizing.Spec
	Result    *sizing.Result
	SLO       string   // the SLO as written (--slo), echoed by the JSON
	Seed      uint64   // seed of the simulations
	From      string   // the result file the inputs were taken from; "" if none
	FromNotes []string // where each of those inputs came from
}

// describeService is "exp:10ms (mean 10ms, SCV 1)".
func describeService(d dist.Dist) string {
	return fmt.Sprintf("%s (mean %s, SCV %.3g)", d.Rounded(), numfmt.Seconds(d.Mean), d.SCV())
}

// arrivalName describes the arrival process of an SCV.
func arrivalName(scv float64) string {
	switch scv {
	case 0:
		return "uniform arrivals (SCV 0)"
	case 1:
		return "Poisson arrivals (SCV 1)"
	default:
		return fmt.Sprintf("gamma arrivals (SCV %.3g)", scv)
	}
}

// WriteSizingText prints the recommendation for people.
func WriteSizingText(w io.Writer, in Sizing) error {
	s, z := in.Spec, in.Result
	var b strings.Builder
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	label := numfmt.Quantile(s.SLO.Quantile)
	if in.From != "" {
		p("From %s:\n", in.From)
		for _, n := range in.FromNotes {
			p("  %s\n", n)
		}
		p("\n")
	}
	p("Sizing for %.5g requests/s, service %s, %s\n", s.Rate, describeService(s.Service), arrivalName(s.ArrivalSCV))
	p("Objectives: %s for admitted requests, rejects ≤ %s", s.SLO, numfmt.Share(s.MaxReject))
	if s.MaxUtilization < 1 {
		p(", utilisation ≤ %s", numfmt.Share(s.MaxUtilization))
	}
	if s.Workers > 0 {
		p(", %d workers (given)", s.Workers)
	}
	p("\n\n")
	if !z.Feasible {
		p("NOT FEASIBLE: %s.\n", z.Reason)
		if z.Workers > 0 && z.Capacity > 0 {
			p("\nClosest attempt: %d workers, K = %d (%d waiting slots): predicted %s %s, block ratio %s.\n",
				z.Workers, z.Capacity, z.Queue, label, numfmt.Interval(z.Predicted.ResponseSLO.Value, z.Predicted.ResponseSLO.HalfWidth), numfmt.ShareInterval(z.Predicted.BlockRatio.Value, z.Predicted.BlockRatio.HalfWidth))
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	pr := z.Predicted
	p("  workers       %d\n", z.Workers)
	p("  queue         %d waiting slots (system capacity K = %d = %d workers + %d slots)\n", z.Queue, z.Capacity, z.Workers, z.Queue)
	p("  utilisation   %s offered (λ·E[S]/c), %s busy after rejects\n", numfmt.Share(z.Utilization), numfmt.Share(pr.Busy))
	p("  predicted     p50 %s, p99 %s", numfmt.Interval(pr.ResponseP50.Value, pr.ResponseP50.HalfWidth), numfmt.Interval(pr.ResponseP99.Value, pr.ResponseP99.HalfWidth))
	if label != "p50" && label != "p99" {
		p(", %s %s", label, numfmt.Interval(pr.ResponseSLO.Value, pr.ResponseSLO.HalfWidth))
	}
	p(", mean %s (admitted requests)\n", numfmt.Interval(pr.ResponseMean.Value, pr.ResponseMean.HalfWidth))
	p("  block ratio   %s (limit %s)\n", numfmt.ShareInterval(pr.BlockRatio.Value, pr.BlockRatio.HalfWidth), numfmt.Share(s.MaxReject))
	if z.Method == "exact" {
		p("  model         %s, exact (Poisson arrivals, exponential service)\n", z.Model)
	} else {
		p("  model         %s, simulated: %d arrivals per run, seed %d, %d runs; ± are 95%% batch-means intervals\n",
			z.Model, z.SimArrivals, in.Seed, z.Simulations)
	}
	if !math.IsNaN(z.UnboundedSLO) {
		what := "exact M/M/c"
		if z.Method != "exact" {
			what = "by the G/G/c heuristic: Whitt mean wait, exponential wait tail"
		}
		p("  unbounded     %s %s with no queue limit (%s)\n", label, numfmt.Seconds(z.UnboundedSLO), what)
	}

	bd := z.Bounds
	p("\nWhy K = %d\n", z.Capacity)
	if bd.MinBlock == z.Workers {
		p("  blocking        K = %d (no waiting room) already keeps rejects ≤ %s\n", bd.MinBlock, numfmt.Share(s.MaxReject))
	} else {
		p("  blocking        K ≥ %d keeps rejects ≤ %s (K = %d: %s)\n", bd.MinBlock, numfmt.Share(s.MaxReject), bd.MinBlock-1, numfmt.Share(bd.BlockBelow))
	}
	p("  latency budget  K ≤ %d: %d waiting slots drain in %s = SLO − E[S] at c/E[S] = %.4g/s\n",
		bd.MaxMean, bd.MaxMean-z.Workers, numfmt.Seconds(float64(bd.MaxMean-z.Workers)*s.Service.Mean/float64(z.Workers)), float64(z.Workers)/s.Service.Mean)
	switch {
	case bd.MaxPct == sizing.Unbounded:
		p("  SLO percentile  any K keeps the admitted %s ≤ %s\n", label, numfmt.Seconds(s.SLO.Target))
	case bd.MaxPct > 0:
		p("  SLO percentile  K ≤ %d keeps the admitted %s ≤ %s\n", bd.MaxPct, label, numfmt.Seconds(s.SLO.Target))
	default:
		p("  SLO percentile  the simulated admitted %s at K = %d is %s ≤ %s\n", label, z.Capacity, numfmt.Interval(pr.ResponseSLO.Value, pr.ResponseSLO.HalfWidth), numfmt.Seconds(s.SLO.Target))
	}
	if bd.MaxWorst > 0 {
		p("  strictest       K ≤ %d would keep even the last request in line within %s\n", bd.MaxWorst, s.SLO)
	}
	if z.Below != "" {
		p("\nWhy not %d workers\n  %s\n", z.Workers-1, trimWorkers(z.Below, z.Workers-1))
	}
	if z.Start > 0 {
		p("\nSearch: Halfin–Whitt square-root staffing for P(wait) ≤ %s starts at c = %d", numfmt.Share(1-s.SLO.Quantile), z.Start)
		if z.HeuristicStart > 0 {
			p("; the G/G/c heuristic picks c = %d to simulate first", z.HeuristicStart)
		}
		p(".\n")
	}
	for _, n := range z.Notes {
		p("Note: %s.\n", n)
	}
	p("\nTry it: bploadgen target --workers %d --queue %d --service %s\n", z.Workers, z.Queue, s.Service.Rounded())
	_, err := io.WriteString(w, b.String())
	return err
}

// trimWorkers drops the "N workers: " prefix of a reason printed under
// a "Why not N workers" heading.
func trimWorkers(reason string, c int) string {
	return strings.TrimPrefix(reason, strconv.Itoa(c)+" workers: ")
}

// WriteSizingAnswer prints a sizing for its mechanism (sizing.Recommend),
// as text or, asJSON, JSON: in carries the problem and where its inputs
// came from; its Result is the answer's for a bounded queue.
func WriteSizingAnswer(w io.Writer, a sizing.Answer, in Sizing, asJSON bool) error {
	switch {
	case a.Mechanism == sizing.RateLimit:
		return WriteRateLimitSizing(w, RateLimitSizing{Spec: in.Spec, Rate: a.Rate}, asJSON)
	case a.Timeout != nil:
		t := TimeoutSizing{Spec: in.Spec, Result: a.Timeout, From: in.From, FromNotes: in.FromNotes}
		if asJSON {
			return WriteTimeoutSizingJSON(w, t)
		}
		return WriteTimeoutSizingText(w, t)
	}
	in.Result = a.Queue
	if asJSON {
		return WriteSizingJSON(w, in)
	}
	return WriteSizingText(w, in)
}
