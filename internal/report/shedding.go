package report

import (
	"fmt"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// SheddingSummary is one line on how the target shed load (the analysis's
// shedding object): the mechanism, its parameters with their 95%
// intervals, and the confidence. "" for nil.
func SheddingSummary(s *result.Shedding) string {
	if s == nil {
		return ""
	}
	pm := func(v, hw float64, f func(float64) string) string {
		if hw > 0 {
			return f(v) + " ± " + f(hw)
		}
		return f(v)
	}
	num := func(v float64) string { return numfmt.Num(v) }
	var parts []string
	switch s.Mechanism {
	case "bounded-queue":
		parts = append(parts, "c = "+workers(s))
		if s.Queue != nil {
			parts = append(parts, fmt.Sprintf("%d waiting slot%s (K = %s), %s at once when full", *s.Queue, numfmt.Plural(int64(*s.Queue)), pm(float64(s.Limit), s.LimitCI, num), s.Answer()))
		}
	case "concurrency-limit":
		parts = append(parts, fmt.Sprintf("at most %s in flight, no queue, %s at once beyond", pm(float64(s.Limit), s.LimitCI, num), s.Answer()))
	case "adaptive-limit":
		parts = append(parts, fmt.Sprintf("a limit that moves, about %s in flight while shedding, c = %d worker%s", pm(float64(s.Limit), s.LimitCI, num), s.Workers, numfmt.Plural(int64(s.Workers))))
	case "queue-timeout":
		parts = append(parts, "c = "+workers(s),
			fmt.Sprintf("a request waits at most %s for one, then gets %s", pm(s.QueueTimeoutS, s.QueueTimeoutCIS, numfmt.Duration), s.Answer()))
	case "rate-limit":
		p := fmt.Sprintf("a rate limit of %s requests/s", pm(s.RateRPS, s.RateCIRPS, numfmt.Rate))
		if s.Burst > 0 {
			p += fmt.Sprintf(", burst %s", numfmt.Num(s.Burst))
		}
		if s.Queue != nil && *s.Queue > 0 {
			p += fmt.Sprintf(", up to %d more delayed to its pace", *s.Queue)
		}
		parts = append(parts, p+", the excess refused at once")
	case "unbounded":
		if s.TimedOut() {
			parts = append(parts, "nothing shed: past capacity the excess waited until it timed out, where a server that sheds answers 503")
		} else {
			parts = append(parts, "nothing shed while the latency grew: an unbounded queue")
		}
	case "none":
		parts = append(parts, "nothing shed and no overload seen: how it would shed is unknown")
	default:
		if why := s.UnknownReason(); why != "" {
			parts = append(parts, why)
		} else {
			parts = append(parts, "load was shed, but no mechanism explains how")
		}
	}
	how := "recognised from the run"
	if s.Source == "given" {
		how = "given"
	}
	return fmt.Sprintf("%s: %s (%s; confidence %s)", s.Mechanism, strings.Join(parts, "; "), how, numfmt.Percent(s.Confidence))
}

// workers is the shedding's worker count with its 95% half-width and the
// noun: "4 ± 0.7 workers", "1 worker".
func workers(s *result.Shedding) string {
	if s.WorkersCI > 0 {
		return numfmt.Num(float64(s.Workers)) + " ± " + numfmt.Num(s.WorkersCI) + " workers"
	}
	return numfmt.Num(float64(s.Workers)) + " worker" + numfmt.Plural(int64(s.Workers))
}
