package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// AnalysisText renders a capacity analysis as the text `bploadgen analyze`
// prints: the model and where its parameters came from, the overhead, the
// capacity and the knee, one row per stage (rates, utilisation, Little's
// law, verdict), then predicted against observed per metric with the
// agreement band, notes and warnings. name labels the result (its file
// name); r, when not nil, adds the stage names and arrival process.
func AnalysisText(w io.Writer, name string, r *result.Result, a *result.Analysis) error {
	var b strings.Builder
	analysisHeader(&b, name, r, a)
	analysisStages(&b, a)
	analysisChecks(&b, a)
	analysisNotes(&b, a)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteAnalysis prints a capacity analysis as AnalysisText does or,
// asJSON, as the indented analysis object (docs/result.md ANALYSIS).
func WriteAnalysis(w io.Writer, name string, r *result.Result, a *result.Analysis, asJSON bool) error {
	if !asJSON {
		return AnalysisText(w, name, r, a)
	}
	b, err := json.MarshalIndent(a, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}

func analysisHeader(b *strings.Builder, name string, r *result.Result, a *result.Analysis) {
	fmt.Fprintf(b, "Capacity analysis of %s", name)
	if r != nil {
		fmt.Fprintf(b, " (%s arrivals, %d stages, %s)", r.Arrival, len(r.Stages), numfmt.Duration(r.ElapsedS))
	}
	b.WriteString("\n\n")
	m := a.Model
	if m.Name == "none" || m.Name == "" {
		b.WriteString("  model     none: nothing to predict with (see the warnings)\n")
	} else {
		fmt.Fprintf(b, "  model     %s", m.Name)
		if m.Kendall != "" {
			fmt.Fprintf(b, " = %s", m.Kendall)
		}
		if m.Workers > 0 {
			fmt.Fprintf(b, ": c = %d worker%s (%s)", m.Workers, numfmt.Plural(int64(m.Workers)), m.WorkersSource)
		}
		switch {
		case m.SystemCapacity > 0:
			fmt.Fprintf(b, ", queue %d → K = %d (%s)", m.Queue, m.SystemCapacity, m.QueueSource)
		case m.QueueSource != "":
			fmt.Fprintf(b, ", queue %s", m.QueueSource)
		}
		b.WriteString("\n")
		fmt.Fprintf(b, "            E[S] = %s", numfmt.Duration(m.ServiceMeanS))
		if m.ServiceMeanCIS > 0 {
			fmt.Fprintf(b, " ± %s", numfmt.Duration(m.ServiceMeanCIS))
		}
		fmt.Fprintf(b, ", SCV %s (%s)", numfmt.Num(m.ServiceSCV), m.Source)
		if m.ServiceMeasuredS > 0 {
			fmt.Fprintf(b, "; Server-Timing measured %s", numfmt.Duration(m.ServiceMeasuredS))
		}
		fmt.Fprintf(b, "; model tolerance %s\n", numfmt.Percent(m.Tolerance))
		if m.Notes != "" {
			fmt.Fprintf(b, "            why: %s\n", m.Notes)
		}
	}
	if sh := SheddingSummary(a.Shedding); sh != "" {
		fmt.Fprintf(b, "  sheds     %s\n", sh)
		ev := a.Shedding.Evidence
		if a.Shedding.UnknownReason() != "" {
			ev = ev[1:] // the summary said it
		}
		for _, e := range ev {
			fmt.Fprintf(b, "            - %s\n", e)
		}
	}
	if o := a.Overhead; o != nil {
		switch o.Source {
		case "server-timing":
			fmt.Fprintf(b, "  overhead  %s per request on average, measured per stage with Server-Timing (client 2xx latency − server queue − svc); added to every predicted time\n", numfmt.Duration(o.MeanS))
		case "unknown":
			b.WriteString("  overhead  unknown (no Server-Timing, no 503s): predicted times are the server's alone\n")
		default:
			fmt.Fprintf(b, "  overhead  %s per request, estimated from the %s; added to every predicted time\n", numfmt.Duration(o.MeanS), o.Source)
		}
	}
	switch {
	case a.CapacityRPS > 0 && a.CapacitySource == "model":
		fmt.Fprintf(b, "  capacity  %s rps (c/E[S]); highest 2xx throughput seen %s rps\n", numfmt.Rate(a.CapacityRPS), numfmt.Rate(a.MaxThroughputRPS))
	case a.CapacityRPS > 0:
		fmt.Fprintf(b, "  capacity  %s rps (from the throughput plateau); highest 2xx throughput seen %s rps\n", numfmt.Rate(a.CapacityRPS), numfmt.Rate(a.MaxThroughputRPS))
	default:
		fmt.Fprintf(b, "  capacity  unknown: at least %s rps (the highest 2xx throughput seen)\n", numfmt.Rate(a.MaxThroughputRPS))
	}
	if k := a.Knee; k != nil {
		fmt.Fprintf(b, "  knee      stage %d (%s rps offered), by %s: %s\n", k.Stage, numfmt.Rate(k.OfferedRPS), k.Criterion, k.Reason)
	} else {
		b.WriteString("  knee      none: the target kept up with every stage\n")
	}
	for _, m := range a.Metastability { // client retries only (retry.go)
		fmt.Fprintf(b, "  retries   metastability: %s\n", MetastabilitySentence(m))
	}
	b.WriteString("\n")
}

func analysisStages(b *strings.Builder, a *result.Analysis) {
	if len(a.Stages) == 0 {
		return
	}
	b.WriteString("Stages (rates in requests/s; ρ = achieved·E[S]/c; Little: L / X·W, and how far the stage's ends can move it)\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  stage\toffered\tachieved\t2xx/s\tρ\tLittle\tends ±\tverdict")
	for _, s := range a.Stages {
		little := "–"
		if s.Little.RateXResponseMean > 0 {
			little = fmt.Sprintf("%.4f", s.Little.Ratio)
			if s.Little.Flagged {
				little += " !"
			}
		}
		rho := "–"
		if s.Utilization > 0 {
			rho = numfmt.Num(s.Utilization)
		}
		fmt.Fprintf(tw, "  %d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", s.Index, numfmt.Rate(s.OfferedRPS), numfmt.Rate(s.AchievedRPS), numfmt.Rate(s.ThroughputRPS),
			rho, little, numfmt.Percent(s.Little.EdgeBound), s.Verdict)
	}
	tw.Flush()
	b.WriteString("\n")
}

func analysisChecks(b *strings.Builder, a *result.Analysis) {
	any := false
	for _, s := range a.Stages {
		if s.Agreement != nil {
			any = true
		}
	}
	if !any {
		return
	}
	shed := a.Shedding.Answer()
	b.WriteString("Predicted vs observed (client side: " + shed + "s / responses; 2xx latency from the intended send; agree when |observed − predicted| ≤ band)\n")
	tw := tabwriter.NewWriter(b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  stage\tmetric\tpredicted\tband\tobserved\terror\tverdict")
	for _, s := range a.Stages {
		ag := s.Agreement
		if ag == nil {
			continue
		}
		first := true
		row := func(metric string, c *result.Check, f func(float64) string, errOf func(c *result.Check) string) {
			if c == nil {
				return
			}
			idx := ""
			if first {
				idx = fmt.Sprint(s.Index)
				first = false
			}
			pred := f(c.Predicted)
			if c.Bound == "lower" {
				pred = "≥ " + pred
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t±%s\t%s\t%s\t%s\n", idx, metric, pred, f(c.Band), f(c.Observed), errOf(c), c.Verdict)
		}
		row(shed+" ratio", ag.BlockRatio, numfmt.Percent, pointsError)
		row("mean", ag.ResponseMeanS, numfmt.Duration, relError)
		row("p99", ag.ResponseP99S, numfmt.Duration, relError)
	}
	tw.Flush()
	b.WriteString("  band = model tolerance + measurement 95% CI (the wider of batch means over the stage's 1-second windows and the\n")
	b.WriteString("         model's own spread over stages this long) + the prediction's move for E[S] ± δS (+ the overhead, for p99)\n")
	if few := fewP99(a); few != "" {
		b.WriteString("  " + few + "\n")
	}
	b.WriteString("\n")
}

// pointsError is observed − predicted in percentage points.
func pointsError(c *result.Check) string {
	return strings.Replace(fmt.Sprintf("%+.2fpp", 100*(c.Observed-c.Predicted)), "-", "−", 1)
}

// relError is observed / predicted − 1.
func relError(c *result.Check) string {
	if c.Predicted == 0 {
		return "–"
	}
	return numfmt.SignedPercent(c.RelError)
}

// fewP99 lists the stages whose p99 came from fewer latencies than a
// ±5% p99 needs.
func fewP99(a *result.Analysis) string {
	var parts []string
	need := 0
	for _, s := range a.Stages {
		if s.Agreement != nil && s.Agreement.ResponseP99S != nil && s.Agreement.ResponseP99S.SamplesNeeded > 0 {
			need = s.Agreement.ResponseP99S.SamplesNeeded
			parts = append(parts, fmt.Sprintf("%d (%s)", s.Index, numfmt.Int(s.Samples2xx)))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return fmt.Sprintf("p99 from fewer than the %s independent latencies a ±5%% p99 needs (more when autocorrelated) at stage %s: their intervals say how well each is known",
		numfmt.Int(int64(need)), strings.Join(parts, ", "))
}

func analysisNotes(b *strings.Builder, a *result.Analysis) {
	var ns []string
	for _, s := range a.Stages {
		for _, n := range s.Notes {
			ns = append(ns, fmt.Sprintf("stage %d: %s", s.Index, n))
		}
		if g := s.Growth; g != nil {
			ns = append(ns, fmt.Sprintf("stage %d: no steady state; the backlog grows %s requests/s, the wait %s per second (observed %s per second)",
				s.Index, numfmt.Rate(g.BacklogRPS), numfmt.Duration(g.PredictedLatencySPerS), numfmt.Duration(g.ObservedLatencySPerS)))
		}
	}
	if len(ns) > 0 {
		b.WriteString("Notes\n")
		for _, n := range ns {
			b.WriteString("  - " + n + "\n")
		}
		b.WriteString("\n")
	}
	if len(a.Warnings) > 0 {
		b.WriteString("Warnings\n")
		for _, w := range a.Warnings {
			b.WriteString("  - " + w + "\n")
		}
	}
}
