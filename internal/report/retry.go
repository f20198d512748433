package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// retryStages are the stages and the total with their labels, for the
// retry tables: the stage index, or total.
func retryStages(r *result.Result) ([]string, []*result.Stage) {
	var labels []string
	var stages []*result.Stage
	for i := range r.Stages {
		if r.Stages[i].Attempts != nil {
			labels = append(labels, itoa(r.Stages[i].Index))
			stages = append(stages, &r.Stages[i])
		}
	}
	if r.Total.Attempts != nil {
		labels = append(labels, "total")
		stages = append(stages, &r.Total)
	}
	return labels, stages
}

// amplification is "×1.88" ("–" when the stage has none).
func amplification(s *result.Stage) string {
	if s.Amplification == nil || s.Scheduled == 0 {
		return "–"
	}
	return "×" + numfmt.Num(*s.Amplification)
}

// goodput is the stage's goodput in requests per second.
func goodput(s *result.Stage) string {
	if s.GoodputRPS == nil {
		return "–"
	}
	return numfmt.Rate(*s.GoodputRPS)
}

// policyLine describes the result's retry policy in the flags' terms.
func policyLine(p *result.RetryPolicy) string {
	parts := []string{"on " + p.On, fmt.Sprintf("at most %d retr%s", p.Max, map[bool]string{true: "y", false: "ies"}[p.Max == 1]),
		"backoff " + numfmt.Duration(p.BackoffMinS) + ".." + numfmt.Duration(p.BackoffMaxS) + " full jitter"}
	if p.After == "honor" {
		parts = append(parts, "Retry-After honoured up to "+numfmt.Duration(p.AfterMaxS))
	} else {
		parts = append(parts, "Retry-After ignored")
	}
	if p.BudgetPercent > 0 {
		parts = append(parts, "budget "+numfmt.Num(p.BudgetPercent)+"%")
	} else {
		parts = append(parts, "no budget")
	}
	return strings.Join(parts, ", ")
}

// MetastabilitySentence says one metastability check's verdict with its
// figures: whether and when (into the stage) the attempt rate settled,
// then the rates over the judged span (from FromS into the run to the
// stage's end) and their factor.
func MetastabilitySentence(m result.Metastability) string {
	head := fmt.Sprintf("stage %d (%s): %s", m.Stage, m.Name, m.Verdict)
	if m.Verdict == "undecided" {
		return head + fmt.Sprintf(": the stage ended before the largest retry delay had passed (judging would start %s into the run)", numfmt.Duration(m.FromS))
	}
	settle := "the attempt rate never settled within 10% of the first-attempt rate"
	if m.RecoveryS >= 0 {
		settle = "the attempt rate came back within 10% of the first-attempt rate " + numfmt.Duration(m.RecoveryS) + " into the stage, and stayed"
	}
	span := fmt.Sprintf("from %s into the run to the stage's end, %s attempts/s against %s first attempts/s", numfmt.Duration(m.FromS),
		numfmt.Rate(m.AttemptRPS), numfmt.Rate(m.FirstRPS))
	if m.Factor > 0 {
		span += " (×" + numfmt.Num(m.Factor) + ")"
	}
	return head + " — " + settle + "; " + span
}

// metastabilityChecks is the result's checks (none without an analysis).
func metastabilityChecks(r *result.Result) []result.Metastability {
	if r.Analysis == nil {
		return nil
	}
	return r.Analysis.Metastability
}

// textRetries writes the retry section of the text summary: the policy,
// one row per stage and the total, and the metastability checks.
func textRetries(w io.Writer, r *result.Result) {
	if !r.Retried() {
		return
	}
	fmt.Fprintf(w, "client retries: %s\n", policyLine(r.RetryPolicy))
	labels, stages := retryStages(r)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "stage\tscheduled\tattempts\tretries\tamplification\tgoodput/s\tbudget denied\tnot sent\tattempt p99\t")
	for i, s := range stages {
		a := s.Attempts
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", labels[i], numfmt.Int(s.Scheduled), numfmt.Int(a.Count),
			numfmt.Int(a.Retries), amplification(s), goodput(s), numfmt.Int(a.BudgetDenied), numfmt.Int(a.NotSent),
			latCell(a.Latency, a.Latency.P99))
	}
	tw.Flush()
	for _, m := range metastabilityChecks(r) {
		fmt.Fprintf(w, "metastability: %s\n", MetastabilitySentence(m))
	}
	fmt.Fprintln(w)
}

// mdRetries writes the retry section of the Markdown summary.
func mdRetries(b *strings.Builder, r *result.Result) {
	if !r.Retried() {
		return
	}
	b.WriteString("**Client retries** (" + mdEscape(policyLine(r.RetryPolicy)) + ")\n\n")
	b.WriteString("| stage | attempts | retries | amplification | goodput rps | budget denied | not sent | attempt p99 |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|\n")
	labels, stages := retryStages(r)
	for i, s := range stages {
		a := s.Attempts
		label := labels[i]
		if label == "total" {
			label = "**run**"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s |\n", label, numfmt.Int(a.Count), numfmt.Int(a.Retries),
			amplification(s), goodput(s), numfmt.Int(a.BudgetDenied), numfmt.Int(a.NotSent), latCell(a.Latency, a.Latency.P99))
	}
	b.WriteString("\n")
	for _, m := range metastabilityChecks(r) {
		mark := "✅"
		if m.Verdict != "recovered" {
			mark = "⚠️"
		}
		b.WriteString("- " + mark + " metastability, " + mdEscape(MetastabilitySentence(m)) + "\n")
	}
	if len(metastabilityChecks(r)) > 0 {
		b.WriteString("\n")
	}
}

// retryView is the HTML section of client retries.
type retryView struct {
	Policy string
	Table  table
	Checks []string // one sentence per metastability check, marked ✔ when recovered, ⚠ otherwise
}

// buildRetryView builds the "Client retries" section (nil without
// retries).
func buildRetryView(r *result.Result) *retryView {
	if !r.Retried() {
		return nil
	}
	v := &retryView{Policy: policyLine(r.RetryPolicy)}
	v.Table.Head = []cell{text("stage"), num("scheduled"), num("attempts"), num("retries"), num("amplification"),
		num("goodput/s"), num("budget denied"), num("not sent"), num("attempt p50"), num("attempt p99")}
	v.Table.Head[4].Title = "attempts ÷ scheduled"
	v.Table.Head[5].Title = "logical requests that ended 2xx, per second"
	labels, stages := retryStages(r)
	for i, s := range stages {
		a := s.Attempts
		cls := ""
		if labels[i] == "total" {
			cls = "total"
		}
		v.Table.Rows = append(v.Table.Rows, row{Class: cls, Cells: []cell{text(labels[i]), num(numfmt.Int(s.Scheduled)),
			num(numfmt.Int(a.Count)), num(numfmt.Int(a.Retries)), num(amplification(s)), num(goodput(s)),
			num(numfmt.Int(a.BudgetDenied)), num(numfmt.Int(a.NotSent)), num(latCell(a.Latency, a.Latency.P50)),
			num(latCell(a.Latency, a.Latency.P99))}})
	}
	for _, m := range metastabilityChecks(r) {
		mark := "✔ "
		if m.Verdict != "recovered" {
			mark = "⚠ "
		}
		v.Checks = append(v.Checks, mark+MetastabilitySentence(m))
	}
	return v
}
