package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"

	"github.com/bploadgen/bploadgen/internal/result"
)

// WriteCSV writes the timeline, one row per window: counts, outcome
// classes, latency percentiles in seconds, in flight, rates, the first
// attempts and attempts sent when the clients retried, then one
// column per scraped metric ("scrape:NAME", sorted; empty when the window
// has no sample).
func WriteCSV(w io.Writer, r *result.Result) error {
	classes := errorClasses(r)
	scrape := scrapeKeys(r)
	head := []string{"t_s", "duration_s", "offered_rps", "scheduled", "sent", "not_sent", "completed",
		"status_2xx", "status_503", "status_other"}
	for _, c := range classes {
		head = append(head, "error_"+c)
	}
	head = append(head, "p50_s", "p90_s", "p99_s", "max_s", "mean_s",
		"in_flight_mean", "in_flight_max", "achieved_rps", "throughput_rps")
	if r.Retried() {
		head = append(head, "first_attempts", "attempts")
	}
	for _, k := range scrape {
		head = append(head, "scrape:"+k)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	rec := make([]string, 0, len(head))
	for _, win := range r.Timeline {
		o := outcomeOf(win.Status, win.Errors, win.NotSent)
		rec = append(rec[:0], f(win.TS), f(win.DurationS), f(win.OfferedRPS), n(win.Scheduled), n(win.Sent), n(win.NotSent),
			n(win.Completed), n(o.OK2xx), n(o.S503-o.S429), n(o.OtherStatus+o.S429))
		for _, c := range classes {
			rec = append(rec, n(win.Errors[c]))
		}
		rec = append(rec, f(win.P50S), f(win.P90S), f(win.P99S), f(win.MaxS), f(win.MeanS),
			f(win.InFlightMean), n(win.InFlightMax), f(win.AchievedRPS), f(win.ThroughputRPS))
		if r.Retried() {
			var a result.WindowAttempts
			if win.Attempts != nil {
				a = *win.Attempts
			}
			rec = append(rec, n(a.First), n(a.Count))
		}
		for _, k := range scrape {
			v, ok := win.Scrape[k]
			switch {
			case !ok:
				rec = append(rec, "")
			case math.IsNaN(v) || math.IsInf(v, 0):
				rec = append(rec, strconv.FormatFloat(v, 'g', -1, 64))
			default:
				rec = append(rec, f(v))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("render CSV: %w", err)
	}
	return nil
}
