package report

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// RetryRun is one client population of a side-by-side retry comparison
// (`demo --retries`): a run whose clients retried, the spike in it, and
// how long after the spike its attempt rate came back within 10% of its
// first-attempt rate (analysis.Recovery).
type RetryRun struct {
	Clients string         // the population: "ignore Retry-After"
	Result  *result.Result // with attempt counts (Result.Retried)
	Spike   int            // the spike's index in Result.Stages (0-based)
	// RecoveryS is seconds from the spike's end (its stage's EndS) to the
	// start of the first timeline window from which every later window
	// had attempts within 10% of first attempts; -1: not by the run's end.
	RecoveryS float64
}

// spike is the run's spike stage (nil when Spike is out of range).
func (x RetryRun) spike() *result.Stage {
	if x.Spike < 0 || x.Spike >= len(x.Result.Stages) {
		return nil
	}
	return &x.Result.Stages[x.Spike]
}

// recovery is "1s", "not recovered", or "interrupted" for an interrupted
// run that had not recovered (it may not have reached the spike's end).
func (x RetryRun) recovery() string {
	switch {
	case x.RecoveryS < 0 && x.Result.Interrupted:
		return "interrupted"
	case x.RecoveryS < 0:
		return "not recovered"
	}
	return numfmt.Duration(x.RecoveryS)
}

// retryRow is one metric of the side-by-side table: its label, a tooltip
// saying what it is, and its value for each run.
type retryRow struct {
	Label, Title string
	Values       []string
}

// retryRows are the side-by-side table's rows, one home for the text and
// the HTML renderings.
func retryRows(runs []RetryRun) []retryRow {
	each := func(label, title string, f func(x RetryRun) string) retryRow {
		r := retryRow{Label: label, Title: title}
		for _, x := range runs {
			r.Values = append(r.Values, f(x))
		}
		return r
	}
	spikeName := "the spike"
	if len(runs) > 0 && runs[0].spike() != nil {
		spikeName = "stage " + itoa(runs[0].spike().Index)
	}
	inSpike := func(f func(s *result.Stage) string) func(x RetryRun) string {
		return func(x RetryRun) string {
			if s := x.spike(); s != nil && s.Attempts != nil {
				return f(s)
			}
			return "–"
		}
	}
	total := func(f func(s *result.Stage) string) func(x RetryRun) string {
		return func(x RetryRun) string {
			if x.Result.Total.Attempts == nil {
				return "–"
			}
			return f(&x.Result.Total)
		}
	}
	share := func(class string) func(s *result.Stage) string {
		return func(s *result.Stage) string {
			n, _ := result.Count(s.Status, s.Errors, s.NotSent, class)
			return numfmt.Percent(ratio(n, s.Scheduled))
		}
	}
	return []retryRow{
		each("requests", "logical requests scheduled: first attempts, open loop", func(x RetryRun) string { return numfmt.Int(x.Result.Total.Scheduled) }),
		each("attempts", "first attempts and retries sent", total(func(s *result.Stage) string { return numfmt.Int(s.Attempts.Count) })),
		each("amplification", "attempts ÷ requests, whole run", total(amplification)),
		each("amplification in "+spikeName, "attempts ÷ requests of the spike's requests", inSpike(amplification)),
		each("goodput/s", "requests that ended 2xx per second, whole run", total(goodput)),
		each("goodput/s in "+spikeName, "the spike's requests that ended 2xx, per second of the spike", inSpike(goodput)),
		each("ended 2xx", "requests whose last attempt was answered 2xx", total(share("2xx"))),
		each("ended 503", "requests whose last attempt was answered 503", total(share("503"))),
		each("p99", "response time from the first attempt's intended send to the last response", total(func(s *result.Stage) string { return latCell(s.Latency, s.Latency.P99) })),
		each("recovery after the spike", "from the spike's end until every later 1 s window had attempts within 10% of first attempts", RetryRun.recovery),
	}
}

// RetryHeadline is one sentence about a population: amplification,
// goodput and recovery, for the summary.
func RetryHeadline(x RetryRun) string {
	t := &x.Result.Total
	if t.Attempts == nil {
		return x.Clients + ": the clients did not retry"
	}
	s := fmt.Sprintf("%s: %s attempts per request", x.Clients, amplification(t))
	if sp := x.spike(); sp != nil && sp.Attempts != nil {
		s += " (" + amplification(sp) + " in the spike)"
	}
	n2xx, _ := result.Count(t.Status, t.Errors, t.NotSent, "2xx")
	s += fmt.Sprintf(", goodput %s/s, %s of requests ended 2xx; ", goodput(t), numfmt.Percent(ratio(n2xx, t.Scheduled)))
	switch {
	case x.RecoveryS < 0 && x.Result.Interrupted:
		return s + "the run was interrupted before the attempt rate was back within 10% of the first-attempt rate"
	case x.RecoveryS < 0:
		return s + "the attempt rate was not back within 10% of the first-attempt rate by the run's end"
	}
	return s + "attempts back within 10% of first attempts " + x.recovery() + " after the spike's end"
}

// WriteRetryText writes the side-by-side comparison of retrying client
// populations as text: the policies, one column per population, a
// headline per population, the metastability checks and the warnings.
func WriteRetryText(w io.Writer, runs []RetryRun) error {
	var b strings.Builder
	for _, x := range runs {
		if x.Result.RetryPolicy != nil {
			fmt.Fprintf(&b, "%s: %s\n", x.Clients, policyLine(x.Result.RetryPolicy))
		}
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "\t"
	for _, x := range runs {
		head += x.Clients + "\t"
	}
	fmt.Fprintln(tw, head)
	for _, r := range retryRows(runs) {
		fmt.Fprintln(tw, r.Label+"\t"+strings.Join(r.Values, "\t")+"\t")
	}
	tw.Flush()
	b.WriteString("\n")
	for _, x := range runs {
		b.WriteString(RetryHeadline(x) + "\n")
	}
	for _, x := range runs {
		for _, m := range metastabilityChecks(x.Result) {
			fmt.Fprintf(&b, "metastability (%s): %s\n", x.Clients, MetastabilitySentence(m))
		}
	}
	for _, x := range runs {
		for _, wn := range x.Result.Warnings {
			fmt.Fprintf(&b, "warning (%s): %s\n", x.Clients, wn)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
