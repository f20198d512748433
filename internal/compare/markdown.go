package compare

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteMarkdown writes the report as GitHub-flavoured Markdown (for a pull
// request comment or a CI job summary).
func (r *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### bploadgen compare: %s\n\n", mdEscape(r.verdictLine()))
	fmt.Fprintf(&b, "- **base** %s: %s\n", mdCode(r.Base.Name), mdEscape(r.Base.describe()))
	fmt.Fprintf(&b, "- **new** %s: %s\n", mdCode(r.New.Name), mdEscape(r.New.describe()))
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "- ⚠️ %s\n", mdEscape(wn))
	}
	for _, sc := range r.allSections() {
		fmt.Fprintf(&b, "\n#### %s\n\n", mdEscape(sc.title()))
		b.WriteString("| metric | base | new | delta | rel | noise | verdict |\n")
		b.WriteString("| --- | ---: | ---: | ---: | ---: | ---: | --- |\n")
		for _, row := range sc.Rows {
			cells := row.cells()
			if row.Verdict == Regression || row.Verdict == Improvement {
				cells[5] = "**" + cells[5] + "**"
			}
			fmt.Fprintf(&b, "| %s | %s |\n", mdEscape(row.Metric), strings.Join(mdEscapeAll(cells), " | "))
		}
	}
	if len(r.Checks) > 0 {
		b.WriteString("\n#### Assertions on NEW − BASE\n\n")
		b.WriteString("| | assertion | scope | observed | base → new |\n")
		b.WriteString("| --- | --- | --- | ---: | --- |\n")
		for _, c := range r.Checks {
			mark := "✅ pass"
			if !c.Pass {
				mark = "❌ **fail**"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s → %s |\n", mark, mdCode(c.Expr), c.Scope,
				mdEscape(c.observed()), value(c.Kind, c.Base), value(c.Kind, c.New))
		}
	}
	fmt.Fprintf(&b, "\n<sub>%s</sub>\n", mdEscape(r.legend()))
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error { return writeJSON(w, r) }

// writeJSON writes v as indented JSON, for both kinds of report.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// mdEscape keeps table cells intact: pipes and markup characters.
func mdEscape(s string) string {
	r := strings.NewReplacer("|", `\|`, "*", `\*`, "_", `\_`, "<", "&lt;", ">", "&gt;", "`", "'", "\n", " ")
	return r.Replace(s)
}

func mdEscapeAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		if strings.HasPrefix(s, "**") {
			out[i] = s
			continue
		}
		out[i] = mdEscape(s)
	}
	return out
}

// mdCode puts s in a code span (backticks inside become quotes).
func mdCode(s string) string {
	if s == "" {
		return ""
	}
	return "`" + strings.ReplaceAll(strings.ReplaceAll(s, "`", "'"), "|", `\|`) + "`"
}
