package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
)

// capacityVerdict is the search's verdict word: FOUND, NOT FOUND,
// BELOW REQUIRE, or INTERRUPTED.
func capacityVerdict(c *result.Capacity) string {
	switch {
	case c.Interrupted:
		return "INTERRUPTED"
	case c.CapacityRPS == 0:
		return "NOT FOUND"
	case c.RequireMet != nil && !*c.RequireMet:
		return "BELOW REQUIRE"
	}
	return "FOUND"
}

// WriteCapacityMarkdown writes a capacity search for $GITHUB_STEP_SUMMARY
// or a pull-request comment: the finding, the probes with each SLO's
// value and interval, the model's forecast and the backpressure checks.
// Everything from the document is escaped.
func WriteCapacityMarkdown(w io.Writer, c *result.Capacity) error {
	var b strings.Builder
	icon := "✅"
	switch capacityVerdict(c) {
	case "NOT FOUND", "BELOW REQUIRE":
		icon = "❌"
	case "INTERRUPTED":
		icon = "⚠️"
	}
	fmt.Fprintf(&b, "### %s bploadgen capacity %s: %s\n\n", icon, capacityVerdict(c), mdEscape(capacityLine(c)))
	fmt.Fprintf(&b, "%s · SLO %s · %s\n\n", mdEscape(c.Target.Method+" "+redact.URL(c.Target.URL)),
		mdCode(strings.Join(c.SLO, ", ")), mdEscape(capacitySettings(c)))
	b.WriteString("| # | rate rps | by | measured | samples | verdict |")
	align := "|--:|--:|---|--:|--:|---|"
	for _, s := range c.SLO {
		b.WriteString(" " + mdEscape(s) + " |")
		align += "--:|"
	}
	b.WriteString("\n" + align + "\n")
	for i, p := range c.Probes {
		fmt.Fprintf(&b, "| %d | %s | %s | %s | %s | %s |", i+1, numfmt.Rate(p.RateRPS), p.ProposedBy,
			numfmt.Duration(p.DurationS), numfmt.Int(p.Samples), verdictMark(p.Verdict))
		for _, ch := range p.SLOChecks {
			b.WriteString(" " + mdEscape(checkText(ch)) + " |")
		}
		b.WriteString("\n")
	}
	b.WriteString("\n")
	if f := c.Predicted; f != nil {
		b.WriteString("**Model:** " + mdEscape(f.Note) + "\n\n")
	}
	if bp := c.Backpressure; bp != nil {
		b.WriteString("**Past capacity, the backpressure " + mdEscape(backpressureHeadline(bp)) + "**\n\n")
		for _, ch := range bp.Checks {
			mark := "✅"
			if !ch.OK {
				mark = "❌"
			}
			fmt.Fprintf(&b, "- %s %s: %s\n", mark, mdCode(ch.Name), mdEscape(ch.Detail))
		}
		b.WriteString("\n")
	}
	mdWarnings(&b, c.Warnings)
	_, err := io.WriteString(w, b.String())
	return err
}

func verdictMark(v string) string {
	switch v {
	case result.VerdictPass:
		return "✅ pass"
	case result.VerdictFail:
		return "❌ fail"
	}
	return "❔ " + v
}

// WriteCapacityJUnit writes a capacity search as JUnit XML: a testcase
// "capacity found" (failing when no rate passed), one for --require when
// given, one per SLO at the capacity (its value and interval), and one
// per backpressure check (failing when the check failed).
func WriteCapacityJUnit(w io.Writer, c *result.Capacity) error {
	target := c.Target.Method + " " + redact.URL(c.Target.URL)
	suite := junitSuite{
		Name: "bploadgen capacity: " + target,
		Time: secs(c.ElapsedS),
		Properties: []junitProperty{
			{"target", target},
			{"slo", strings.Join(c.SLO, ", ")},
			{"capacity_rps", strconv.FormatFloat(c.CapacityRPS, 'f', -1, 64)},
			{"stopped_because", c.StoppedBecause},
			{"interrupted", strconv.FormatBool(c.Interrupted)},
		},
		SystemOut: "bploadgen capacity " + capacityVerdict(c) + ": " + capacityLine(c),
	}
	if !c.StartedAt.IsZero() {
		suite.Timestamp = c.StartedAt.UTC().Format("2006-01-02T15:04:05")
	}
	add := func(name string, fail bool, msg, text string) {
		tc := junitCase{Name: name, Classname: "bploadgen.capacity", Time: "0", SystemOut: msg}
		if fail {
			tc.Failure = &junitFailure{Message: msg, Type: "CapacityFailed", Text: text}
			suite.Failures++
		}
		suite.Tests++
		suite.Cases = append(suite.Cases, tc)
	}
	add("capacity found", c.CapacityRPS == 0, capacityLine(c), capacityLine(c)+"\n")
	if c.RequireMet != nil {
		add("capacity >= "+numfmt.Rate(c.Settings.RequireRPS)+" rps", !*c.RequireMet, capacityLine(c), capacityLine(c)+"\n")
	}
	if p := capacityProbe(c); p != nil {
		for _, ch := range p.SLOChecks {
			msg := fmt.Sprintf("at %s rps: %s", numfmt.Rate(p.RateRPS), checkText(ch))
			add("SLO "+ch.Expr+" at the capacity", ch.Verdict != result.VerdictPass, msg, msg+"\n")
		}
	}
	if bp := c.Backpressure; bp != nil {
		for _, ch := range bp.Checks {
			add("backpressure: "+ch.Name, !ch.OK, ch.Detail, ch.Detail+"\n")
		}
	}
	doc := junitSuites{Name: "bploadgen", Tests: suite.Tests, Failures: suite.Failures, Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("render JUnit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// capacityProbe is the passing probe at the capacity found, nil if none.
func capacityProbe(c *result.Capacity) *result.CapacityProbe {
	for i := range c.Probes {
		if p := &c.Probes[i]; p.RateRPS == c.CapacityRPS && p.Verdict == result.VerdictPass {
			return p
		}
	}
	return nil
}
