package report

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"unicode"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Text writes the plain-text summary `run` prints after a run and
// `report` prints by default: a header line, one row per stage and the
// total, the status codes and errors, in-flight and send lag, assertion
// verdicts and warnings. Percentiles are of latency from the intended send
// time over every response; "p99 2xx" is over 2xx responses only (fast
// 503s pull the first ones down exactly when a target is overloaded).
func Text(w io.Writer, r *result.Result) error {
	bw := bufio.NewWriter(w)
	textHeader(bw, r)
	textStages(bw, r)
	textTotals(bw, r)
	if r.HasByRequest() {
		fmt.Fprintln(bw)
		textRequests(bw, r)
	}
	textRetries(bw, r)
	textAssertions(bw, r.Assertions)
	for _, warn := range r.Warnings {
		fmt.Fprintf(bw, "warning: %s\n", warn)
	}
	return bw.Flush()
}

func textHeader(w io.Writer, r *result.Result) {
	fmt.Fprintf(w, "bploadgen %s  %s\n", r.Tool.Version, targetLabel(r, r.Target.URL))
	arr := r.Arrival + " arrivals"
	if r.Arrival == "poisson" {
		arr += fmt.Sprintf(" (seed %d)", r.Seed)
	}
	line := fmt.Sprintf("%s, %s planned, %s elapsed, max in flight %s", arr, numfmt.Duration(r.DurationS), numfmt.Duration(r.ElapsedS), numfmt.Int(int64(r.MaxInFlight)))
	if r.Shard != nil {
		line += fmt.Sprintf(", shard %d/%d", r.Shard.Index, r.Shard.Count)
	}
	if len(r.Merged) > 0 {
		line += fmt.Sprintf(", merged from %d results", len(r.Merged))
	}
	if r.Interrupted {
		line += ", INTERRUPTED (partial result)"
	}
	fmt.Fprintln(w, line)
	fmt.Fprintln(w)
}

func textStages(w io.Writer, r *result.Result) {
	// The stage label is padded by hand so it stays left-aligned while the
	// numbers are right-aligned by the tabwriter.
	labels := make([]string, 0, len(r.Stages)+1)
	for i := range r.Stages {
		labels = append(labels, fmt.Sprintf("%d %s", r.Stages[i].Index, clipName(r.Stages[i].Name, 30)))
	}
	labels = append(labels, "total")
	width := len([]rune("stage"))
	for _, l := range labels {
		width = max(width, len([]rune(l)))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-len([]rune(s))) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, pad("stage")+"\toffered/s\tsent/s\t2xx/s\tp50\tp90\tp99\tmax\tp99 2xx\t2xx\t"+shedLabel(r.Total.Status)+"\tother\terrors\tnot sent\t")
	row := func(label string, s *result.Stage) {
		n2xx, _ := result.Count(s.Status, nil, 0, "2xx")
		n503 := s.Status["503"] + s.Status["429"] // shed (data.go)
		other := s.Responses() - n2xx - n503
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			pad(label), numfmt.Rate(s.OfferedRPS), numfmt.Rate(s.AchievedRPS), numfmt.Rate(s.ThroughputRPS),
			latCell(s.Latency, s.Latency.P50), latCell(s.Latency, s.Latency.P90), latCell(s.Latency, s.Latency.P99),
			latCell(s.Latency, s.Latency.Max), latCell(s.Latency2xx, s.Latency2xx.P99),
			numfmt.Int(n2xx), numfmt.Int(n503), numfmt.Int(other), numfmt.Int(s.ErrorCount()), numfmt.Int(s.NotSent))
	}
	for i := range r.Stages {
		row(labels[i], &r.Stages[i])
	}
	row("total", &r.Total)
	tw.Flush()
	fmt.Fprintln(w)
}

// latCell prints v, or "–" when the summary has no samples.
func latCell(s result.Summary, v float64) string {
	if s.Count == 0 {
		return "–"
	}
	return numfmt.Duration(v)
}

func clipName(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func textTotals(w io.Writer, r *result.Result) {
	t := &r.Total
	codes := make([]string, 0, len(t.Status))
	for c := range t.Status {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, fmt.Sprintf("%s ×%s", c, numfmt.Int(t.Status[c])))
	}
	if len(parts) == 0 {
		parts = []string{"none"}
	}
	fmt.Fprintf(w, "requests   %s scheduled, %s sent, %s not sent, %s completed\n",
		numfmt.Int(t.Scheduled), numfmt.Int(t.Sent), numfmt.Int(t.NotSent), numfmt.Int(t.Completed))
	fmt.Fprintf(w, "status     %s\n", strings.Join(parts, ", "))
	var errs []string
	for _, c := range result.ErrorClasses {
		if n := t.Errors[c]; n > 0 || c != result.ErrCanceled {
			errs = append(errs, fmt.Sprintf("%s %s", c, numfmt.Int(n)))
		}
	}
	fmt.Fprintf(w, "errors     %s\n", strings.Join(errs, ", "))
	if r.Samples != nil {
		for _, c := range result.ErrorClasses {
			if m := r.Samples.Errors[c]; m != "" && t.Errors[c] > 0 {
				fmt.Fprintf(w, "           first %s: %s\n", c, oneLine(m, 200))
			}
		}
	}
	if t.Latency.Count > 0 {
		fmt.Fprintf(w, "latency    mean %s, p99.9 %s (from the intended send time); service time p50 %s, p99 %s (from the actual send)\n",
			numfmt.Duration(t.Latency.Mean), numfmt.Duration(t.Latency.P999), numfmt.Duration(t.ServiceTime.P50), numfmt.Duration(t.ServiceTime.P99))
	}
	slack := "" // the lateness the run chose: part of the send lag
	if r.TimerSlackS > 0 {
		slack = ", timer slack " + numfmt.Duration(r.TimerSlackS)
	}
	fmt.Fprintf(w, "in flight  mean %s, max %s    send lag p50 %s, p99 %s, max %s%s\n",
		numfmt.Num(t.InFlightMean), numfmt.Int(t.InFlightMax), numfmt.Duration(t.SendLag.P50), numfmt.Duration(t.SendLag.P99), numfmt.Duration(t.SendLag.Max), slack)
	if st := t.ServerTiming; st != nil {
		fmt.Fprintf(w, "target     Server-Timing svc mean %s (SCV %.2f), queue p99 %s\n",
			numfmt.Duration(st.Service.Mean), st.ServiceSCV, numfmt.Duration(st.Queue.P99))
	}
}

func textAssertions(w io.Writer, as []result.Assertion) {
	if len(as) == 0 {
		return
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, a := range as {
		verdict := "PASS"
		if !a.Pass {
			verdict = "FAIL"
		}
		obs := observedText(a)
		fmt.Fprintf(tw, "%s\t%s\t%s\tobserved %s\n", verdict, a.Expr, a.Scope, obs)
	}
	tw.Flush()
}

// observedText formats an assertion's observed value in its metric's unit.
func observedText(a result.Assertion) string {
	if a.Note != "" {
		return "– (" + a.Note + ")"
	}
	switch {
	case strings.HasPrefix(a.Metric, "ratio("), a.Metric == "achieved":
		return numfmt.Percent(a.Observed)
	case a.Metric == "rps":
		return numfmt.Rate(a.Observed) + "/s"
	default:
		return numfmt.Duration(a.Observed)
	}
}

// oneLine makes s, a message that may hold a server's bytes, safe for one
// line of a terminal: control characters become U+FFFD (no escape
// sequence reaches the screen), and it is cut to at most n runes.
func oneLine(s string, n int) string {
	var b strings.Builder
	for i, r := range []rune(s) {
		if i == n {
			b.WriteString("…")
			break
		}
		if unicode.IsControl(r) {
			r = unicode.ReplacementChar
		}
		b.WriteRune(r)
	}
	return b.String()
}
