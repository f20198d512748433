package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
)

// CapacityText writes the summary `bploadgen capacity` prints: the SLOs,
// one row per probe (rate, why, measured time, samples, verdict, each
// SLO's value and 95% interval), the capacity with its bracket and why
// the search stopped, the model's forecast, the backpressure verdict with
// one line per check, and the warnings.
func CapacityText(w io.Writer, c *result.Capacity) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "bploadgen capacity %s  %s\n", c.Tool.Version, strings.TrimSpace(c.Target.Method+" "+redact.URL(c.Target.URL)))
	fmt.Fprintf(bw, "SLO: %s\n", strings.Join(c.SLO, ", "))
	fmt.Fprintf(bw, "%s\n\n", capacitySettings(c))
	tw := tabwriter.NewWriter(bw, 0, 0, 2, ' ', tabwriter.AlignRight)
	head := "#\trate rps\tby\tmeasured\tsamples\tverdict\t"
	for _, s := range c.SLO {
		head += s + "\t"
	}
	fmt.Fprintln(tw, head)
	for i, p := range c.Probes {
		row := fmt.Sprintf("%d\t%s\t%s\t%s\t%s\t%s\t", i+1, numfmt.Rate(p.RateRPS), p.ProposedBy, numfmt.Duration(p.DurationS), numfmt.Int(p.Samples), p.Verdict)
		for _, ch := range p.SLOChecks {
			row += checkText(ch) + "\t"
		}
		fmt.Fprintln(tw, row)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for i, p := range c.Probes {
		if p.Note != "" {
			fmt.Fprintf(bw, "  probe %d: %s\n", i+1, p.Note)
		}
	}
	fmt.Fprintf(bw, "\n%s\n", capacityLine(c))
	if f := c.Predicted; f != nil {
		fmt.Fprintf(bw, "Model: %s\n", f.Note)
	}
	if bp := c.Backpressure; bp != nil {
		fmt.Fprintf(bw, "\nPast capacity, the backpressure %s\n", backpressureHeadline(bp))
		for _, ch := range bp.Checks {
			fmt.Fprintf(bw, "  %-16s %-4s %s\n", ch.Name, okWord(ch.OK), ch.Detail)
		}
	}
	for _, warn := range c.Warnings {
		fmt.Fprintf(bw, "warning: %s\n", warn)
	}
	return bw.Flush()
}

// capacitySettings is the line of the search's settings.
func capacitySettings(c *result.Capacity) string {
	s := c.Settings
	arr := c.Arrival + " arrivals"
	if c.Arrival == "poisson" {
		arr += fmt.Sprintf(" (seed %d)", c.Seed)
	}
	parts := []string{arr, "from " + numfmt.Rate(s.MinRPS) + " rps"}
	if s.MaxRPS > 0 {
		parts = append(parts, "at most "+numfmt.Rate(s.MaxRPS)+" rps")
	}
	parts = append(parts, "budget "+numfmt.Duration(s.BudgetS), "precision "+numfmt.Percent(s.Precision),
		numfmt.Percent(s.Level)+" intervals")
	return strings.Join(parts, ", ")
}

// capacityLine says what was found, in one sentence.
func capacityLine(c *result.Capacity) string {
	b := c.Bracket
	var s string
	switch {
	case c.CapacityRPS == 0 && b.FailRPS > 0:
		s = fmt.Sprintf("No passing rate: the lowest probe, %s rps, did not meet every SLO", numfmt.Rate(b.FailRPS))
	case c.CapacityRPS == 0:
		s = "No passing rate: no probe completed"
	case b.FailRPS > 0:
		s = fmt.Sprintf("Capacity: %s rps (the bracket: %s passes, %s does not)", numfmt.Rate(c.CapacityRPS), numfmt.Rate(b.PassRPS), numfmt.Rate(b.FailRPS))
	default:
		s = fmt.Sprintf("Capacity: at least %s rps (no probe failed)", numfmt.Rate(c.CapacityRPS))
	}
	s += fmt.Sprintf("; stopped: %s, after %s", stopReason(c.StoppedBecause), numfmt.Duration(c.ElapsedS))
	if c.RequireMet != nil {
		if *c.RequireMet {
			s += fmt.Sprintf("; meets --require %s rps", numfmt.Rate(c.Settings.RequireRPS))
		} else {
			s += fmt.Sprintf("; BELOW --require %s rps", numfmt.Rate(c.Settings.RequireRPS))
		}
	}
	return s + "."
}

// stopReason explains a stopped_because value.
func stopReason(s string) string {
	switch s {
	case result.StopPrecision:
		return "precision (the bracket is within the precision)"
	case result.StopBudget:
		return "budget (the next probe would not fit)"
	case result.StopMax:
		return "max (--max passed)"
	case result.StopMin:
		return "min (--min did not pass; nothing lower is probed)"
	case result.StopInterrupted:
		return "interrupted (partial result)"
	}
	return s
}

func backpressureHeadline(bp *result.Backpressure) string {
	s := strings.ToUpper(bp.Verdict)
	if bp.DecidedBy != "" {
		s += " (decided by " + bp.DecidedBy + ")"
	}
	if bp.Note != "" {
		s += ": " + bp.Note
	}
	return s
}

func okWord(ok bool) string {
	if ok {
		return "ok"
	}
	return "FAIL"
}

// checkText is "0.12% [0%, 0.38%]": an SLO's value and interval.
func checkText(ch result.SLOCheck) string {
	v := formatIn(ch.Unit, ch.Value)
	switch {
	case ch.OpenHigh:
		return v + " [" + formatIn(ch.Unit, ch.CILow) + ", open]"
	case ch.CILow == ch.CIHigh:
		return v
	}
	return v + " [" + formatIn(ch.Unit, ch.CILow) + ", " + formatIn(ch.Unit, ch.CIHigh) + "]"
}

// formatIn formats a value in an SLO check's unit.
func formatIn(unit string, v float64) string {
	switch unit {
	case "s":
		return numfmt.Duration(v)
	case "ratio":
		return numfmt.Percent(v)
	}
	return numfmt.Rate(v)
}
