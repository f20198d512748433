package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// requestRows are the stage views of a stage's by_request records, in
// RequestNames order (most scheduled first, "other" last).
func requestRows(st *result.Stage) ([]string, []result.Stage) {
	names := st.RequestNames()
	rows := make([]result.Stage, len(names))
	for i, n := range names {
		rows[i] = st.ByRequest[n].AsStage(st)
	}
	return names, rows
}

// targetLabel is what a run sent, as a report's header says it, given the
// target URL as the report shows it: "METHOD URL" for one request; for a
// run broken down by request (a mix, a targets file), "mix of N requests,
// base URL" (N request names; "more than 100" with other), and for a
// replay "replay of N requests (K names), base URL". The base is the URL
// relative request URLs resolve against.
func targetLabel(r *result.Result, url string) string {
	if !r.HasByRequest() {
		return strings.TrimSpace(r.Target.Method + " " + url)
	}
	k := len(r.Total.ByRequest)
	names := numfmt.Int(int64(k))
	if _, ok := r.Total.ByRequest[result.OtherRequests]; ok && k > maxRequestNames {
		names = "more than " + numfmt.Int(maxRequestNames)
	}
	base := ""
	if url != "" {
		base = ", base " + url
	}
	if r.Arrival == "replay" {
		return fmt.Sprintf("replay of %s request%s (%s name%s)%s", numfmt.Int(r.Total.Scheduled), numfmt.Plural(r.Total.Scheduled), names, numfmt.Plural(int64(k)), base)
	}
	return fmt.Sprintf("mix of %s request%s%s", names, numfmt.Plural(int64(k)), base)
}

// maxRequestNames is how many request names a run reports before the rest
// go together as other (mix.MaxNames).
const maxRequestNames = 100

// share is n as a fraction of all, as a percentage ("–" of nothing).
func share(n, all int64) string {
	if all <= 0 {
		return "–"
	}
	return numfmt.Percent(float64(n) / float64(all))
}

// textRequests writes the run's breakdown by request: one row per name
// with its share of the scheduled requests and the stage table's columns.
func textRequests(w io.Writer, r *result.Result) {
	if !r.HasByRequest() {
		return
	}
	names, rows := requestRows(&r.Total)
	width := len("request")
	for i := range names {
		names[i] = clipName(names[i], 40)
		width = max(width, len([]rune(names[i])))
	}
	pad := func(s string) string { return s + strings.Repeat(" ", width-len([]rune(s))) }
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, pad("request")+"\tshare\tsent/s\t2xx/s\tp50\tp90\tp99\tmax\tp99 2xx\t2xx\t503\tother\terrors\tnot sent\t")
	for i := range rows {
		s := &rows[i]
		n2xx, _ := result.Count(s.Status, nil, 0, "2xx")
		n503 := s.Status["503"]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n",
			pad(names[i]), share(s.Scheduled, r.Total.Scheduled), numfmt.Rate(s.AchievedRPS), numfmt.Rate(s.ThroughputRPS),
			latCell(s.Latency, s.Latency.P50), latCell(s.Latency, s.Latency.P90), latCell(s.Latency, s.Latency.P99),
			latCell(s.Latency, s.Latency.Max), latCell(s.Latency2xx, s.Latency2xx.P99),
			numfmt.Int(n2xx), numfmt.Int(n503), numfmt.Int(s.Responses()-n2xx-n503), numfmt.Int(s.ErrorCount()), numfmt.Int(s.NotSent))
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// mdRequests writes the breakdown by request as a Markdown table.
func mdRequests(b *strings.Builder, r *result.Result) {
	if !r.HasByRequest() {
		return
	}
	names, rows := requestRows(&r.Total)
	b.WriteString("| request | share | 2xx rps | 2xx | " + shedLabel(r.Total.Status) + " | errors | not sent | p50 | p99 | max |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for i := range rows {
		s := &rows[i]
		o := outcomeOf(s.Status, s.Errors, s.NotSent)
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(names[i]),
			share(s.Scheduled, r.Total.Scheduled), numfmt.Rate(s.ThroughputRPS), numfmt.Percent(ratio(o.OK2xx, s.Scheduled)),
			numfmt.Percent(ratio(o.S503, s.Scheduled)), numfmt.Percent(ratio(o.Errors+o.OtherStatus, s.Scheduled)),
			numfmt.Percent(ratio(o.NotSent, s.Scheduled)), latCell(s.Latency, s.Latency.P50), latCell(s.Latency, s.Latency.P99),
			latCell(s.Latency, s.Latency.Max))
	}
	b.WriteString("\n")
}

// junitRequestClass is the JUnit classname of a request-scoped gate, so
// test reporters group a request's gates together.
func junitRequestClass(a result.Assertion) string {
	if a.Request == "" {
		return junitClassname
	}
	return junitClassname + ".request." + a.Request
}

// WriteRequestsCSV writes the breakdown by request: one row per stage (and
// "total") and request name, with the stage's columns for that request;
// only the header row when the result has no breakdown.
func WriteRequestsCSV(w io.Writer, r *result.Result) error {
	cw := csv.NewWriter(w)
	head := []string{"stage", "stage_name", "request", "scheduled", "sent", "not_sent", "completed",
		"status_2xx", "status_503", "status_other"}
	for _, c := range result.ErrorClasses {
		head = append(head, "error_"+c)
	}
	head = append(head, "p50_s", "p90_s", "p99_s", "max_s", "mean_s", "p99_2xx_s", "service_p50_s", "service_p99_s",
		"achieved_rps", "throughput_rps")
	if err := cw.Write(head); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	stages := append(append([]result.Stage(nil), r.Stages...), r.Total)
	for k := range stages {
		st := &stages[k]
		label := strconv.Itoa(st.Index)
		if k == len(stages)-1 {
			label = "total"
		}
		names, rows := requestRows(st)
		for i := range rows {
			s := &rows[i]
			o := outcomeOf(s.Status, s.Errors, s.NotSent)
			rec := []string{label, st.Name, names[i], n(s.Scheduled), n(s.Sent), n(s.NotSent), n(s.Completed),
				n(o.OK2xx), n(o.S503 - o.S429), n(o.OtherStatus + o.S429)}
			for _, c := range result.ErrorClasses {
				rec = append(rec, n(s.Errors[c]))
			}
			rec = append(rec, f(s.Latency.P50), f(s.Latency.P90), f(s.Latency.P99), f(s.Latency.Max), f(s.Latency.Mean),
				f(s.Latency2xx.P99), f(s.ServiceTime.P50), f(s.ServiceTime.P99), f(s.AchievedRPS), f(s.ThroughputRPS))
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("render CSV: %w", err)
	}
	return nil
}
