package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/redact"
	"github.com/bploadgen/bploadgen/internal/result"
)

// WriteMarkdown writes a compact GitHub-flavoured Markdown summary: a
// verdict line, the per-stage table, the assertion verdicts, the
// capacity finding and the warnings. It fits $GITHUB_STEP_SUMMARY or a pull-request
// comment. Every string that came from the result is escaped, so a target
// cannot inject markup, links or mentions.
func WriteMarkdown(w io.Writer, r *result.Result) error {
	var b strings.Builder
	icon := "✅"
	switch verdict(r) {
	case "FAIL":
		icon = "❌"
	case "INTERRUPTED", "NO ASSERTIONS":
		icon = "⚠️"
	}
	fmt.Fprintf(&b, "### %s bploadgen %s: %s\n\n", icon, verdict(r), mdEscape(verdictLine(r)))
	t := &r.Total
	o := outcomeOf(t.Status, t.Errors, t.NotSent)
	fmt.Fprintf(&b, "%s · %s · %s scheduled · %s rps 2xx · p99 %s · %s %s · errors %s\n\n",
		mdEscape(targetLabel(r, redact.URL(r.Target.URL))), mdEscape(subtitle(r)),
		numfmt.Int(t.Scheduled), numfmt.Rate(t.ThroughputRPS), latencyOrDash(t), shedLabel(t.Status), numfmt.Percent(ratio(o.S503, t.Scheduled)),
		numfmt.Percent(ratio(o.Errors, t.Scheduled)))
	if r.Interrupted {
		b.WriteString("> **Interrupted:** this is a partial result.\n\n")
	}

	b.WriteString("| stage | offered rps | 2xx rps | 2xx | " + shedLabel(t.Status) + " | errors | not sent | p50 | p99 | max |\n")
	b.WriteString("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	row := func(name string, s *result.Stage) {
		o := outcomeOf(s.Status, s.Errors, s.NotSent)
		lat := func(v float64) string {
			if s.Latency.Count == 0 {
				return "–"
			}
			return numfmt.Duration(v)
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", name,
			numfmt.Rate(s.OfferedRPS), numfmt.Rate(s.ThroughputRPS), numfmt.Percent(ratio(o.OK2xx, s.Scheduled)),
			numfmt.Percent(ratio(o.S503, s.Scheduled)), numfmt.Percent(ratio(o.Errors+o.OtherStatus, s.Scheduled)),
			numfmt.Percent(ratio(o.NotSent, s.Scheduled)), lat(s.Latency.P50), lat(s.Latency.P99), lat(s.Latency.Max))
	}
	for i := range r.Stages {
		row(itoa(r.Stages[i].Index), &r.Stages[i])
	}
	row("**run**", &r.Total)
	b.WriteString("\n")
	mdRequests(&b, r)
	mdRetries(&b, r)

	if len(r.Assertions) > 0 {
		b.WriteString("**Assertions**\n\n")
		for _, a := range r.Assertions {
			mark := "✅"
			if !a.Pass {
				mark = "❌"
			}
			fmt.Fprintf(&b, "- %s %s (%s): observed %s, threshold %s", mark, mdCode(a.Expr), mdEscape(a.Scope),
				observed(a), mdEscape(threshold(a)))
			if a.Note != "" {
				b.WriteString(" — " + mdEscape(a.Note))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	if an := r.Analysis; an != nil {
		b.WriteString("**Capacity** (" + mdEscape(an.Model.Name) + "): ")
		if an.Knee != nil {
			b.WriteString(fmt.Sprintf("knee at stage %d (%s rps): %s", an.Knee.Stage, numfmt.Rate(an.Knee.OfferedRPS), mdEscape(an.Knee.Reason)))
		} else {
			b.WriteString("no knee within the offered range")
		}
		if an.CapacityRPS > 0 {
			b.WriteString("; estimated capacity ≈ " + numfmt.Rate(an.CapacityRPS) + " rps")
		}
		b.WriteString(".\n")
		if sh := SheddingSummary(an.Shedding); sh != "" {
			b.WriteString("\n**Shedding**: " + mdEscape(sh) + "\n")
		}
	}
	if len(r.Warnings) > 0 {
		b.WriteString("\n")
		mdWarnings(&b, r.Warnings)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdWarnings writes each warning as a quoted line: the run's (the
// generator fell behind, nothing was answered) belong in a CI summary as
// much as in the text one.
func mdWarnings(b *strings.Builder, warns []string) {
	for _, warn := range warns {
		b.WriteString("> warning: " + mdEscape(warn) + "\n")
	}
}

func latencyOrDash(s *result.Stage) string {
	if s.Latency.Count == 0 {
		return "–"
	}
	return numfmt.Duration(s.Latency.P99)
}

// mdEscape makes s plain text in Markdown, also inside a table cell: it
// escapes Markdown punctuation with backslashes, HTML with entities, and
// folds line breaks into spaces.
func mdEscape(s string) string {
	var b strings.Builder
	for _, c := range s {
		switch c {
		case '\r', '\n', '\t':
			b.WriteByte(' ')
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '&':
			b.WriteString("&amp;")
		case '\\', '`', '*', '_', '{', '}', '[', ']', '(', ')', '|', '~', '@', '$':
			b.WriteByte('\\')
			b.WriteRune(c)
		default:
			b.WriteRune(c)
		}
	}
	return b.String()
}

// mdCode shows an expression as inline code when that is safe (no
// backticks, pipes or line breaks), and as escaped text otherwise.
func mdCode(s string) string {
	if s == "" || strings.ContainsAny(s, "`|\r\n<>&") {
		return mdEscape(s)
	}
	return "`" + s + "`"
}
