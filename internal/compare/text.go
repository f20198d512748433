package compare

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/bploadgen/bploadgen/internal/numfmt"
)

// WriteText writes the report as aligned text tables, one per scope, the
// verdict, and the checks.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	writeInputs(&b, r)
	t := &table{align: "lrrrrrl"}
	t.add("", "base", "new", "delta", "rel", "noise", "verdict")
	for _, sc := range r.allSections() {
		t.title(sc.title())
		for _, row := range sc.Rows {
			t.add(append([]string{"  " + row.Metric}, row.cells()...)...)
		}
	}
	t.write(&b)
	fmt.Fprintf(&b, "\nverdict: %s\n", r.verdictLine())
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", wn)
	}
	if len(r.Checks) > 0 {
		b.WriteString("\nassertions on NEW − BASE:\n")
		ct := &table{align: "lllrl"}
		for _, c := range r.Checks {
			ct.add("  "+passText(c.Pass), c.Expr, c.Scope, c.observed(), fmt.Sprintf("(%s → %s)", value(c.Kind, c.Base), value(c.Kind, c.New)))
		}
		ct.write(&b)
	}
	b.WriteString("\n" + r.legend() + "\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func writeInputs(b *strings.Builder, r *Report) {
	names := [2]string{r.Base.Name, r.New.Name}
	width := max(utf8.RuneCountInString(names[0]), utf8.RuneCountInString(names[1]))
	for i, in := range [2]Input{r.Base, r.New} {
		label := [2]string{"base", "new "}[i]
		fmt.Fprintf(b, "%s  %-*s  %s\n", label, width, names[i], in.describe())
	}
	b.WriteString("\n")
}

// describe is one line about an input.
func (in Input) describe() string {
	parts := []string{fmt.Sprintf("%s, %d stage%s", in.Profile, in.Stages, numfmt.Plural(int64(in.Stages))), in.Arrival,
		fmt.Sprintf("%d scheduled", in.Scheduled)}
	if !in.StartedAt.IsZero() {
		parts = append(parts, in.StartedAt.UTC().Format("2006-01-02 15:04:05Z"))
	}
	if in.Version != "" {
		parts = append(parts, "bploadgen "+in.Version)
	}
	if in.Shard != "" {
		parts = append(parts, "shard "+in.Shard)
	}
	return strings.Join(parts, ", ")
}

func passText(ok bool) string {
	if ok {
		return "PASS"
	}
	return "FAIL"
}

// shownScopes leaves out the one stage of a single-stage run, which is the
// run itself.
func (r *Report) shownSections() []Section {
	if len(r.Sections) == 2 && r.Sections[0].Stage == 1 {
		return r.Sections[1:]
	}
	return r.Sections
}

// allSections are the shown sections, then the request sections.
func (r *Report) allSections() []Section {
	return append(append([]Section(nil), r.shownSections()...), r.Requests...)
}

func (sc Section) title() string {
	if sc.Label != "" {
		return sc.Name + " (" + sc.Label + ")"
	}
	return sc.Name
}

// verdictLine is the overall verdict with the metrics that made it, each
// with its change over the run (or its first section) and where it holds.
func (r *Report) verdictLine() string {
	if r.Verdict == NoChange {
		return string(NoChange)
	}
	sections := r.shownSections()
	var places []string              // distinct "where" texts, in order
	changes := map[string][]string{} // where → "p99 +41.8%", ...
	for k, m := range rowMetrics {
		var where []string
		var change string
		for _, sc := range sections {
			row := sc.Rows[k]
			if row.Verdict != r.Verdict {
				continue
			}
			where = append(where, sc.Name)
			if change == "" || sc.Stage == 0 {
				change = row.change()
			}
		}
		if len(where) == 0 {
			continue
		}
		place := strings.Join(where, ", ")
		if len(where) == len(sections) && len(sections) > 1 {
			place = "every stage and the run"
		}
		if _, ok := changes[place]; !ok {
			places = append(places, place)
		}
		changes[place] = append(changes[place], m.name+" "+change)
	}
	items := make([]string, len(places))
	for i, p := range places {
		items[i] = strings.Join(changes[p], ", ") + " in " + p
	}
	return string(r.Verdict) + ": " + strings.Join(items, "; ")
}

// table aligns cells in columns; align has 'l' or 'r' per column. Title
// lines stand alone and do not widen the columns.
type table struct {
	align   string
	rows    [][]string // a row of one cell with title set is a title
	isTitle []bool
}

func (t *table) add(cells ...string) {
	t.rows = append(t.rows, cells)
	t.isTitle = append(t.isTitle, false)
}

func (t *table) title(s string) {
	t.rows = append(t.rows, []string{s})
	t.isTitle = append(t.isTitle, true)
}

func (t *table) write(b *strings.Builder) {
	widths := make([]int, len(t.align))
	for i, row := range t.rows {
		if t.isTitle[i] {
			continue
		}
		for k, c := range row {
			widths[k] = max(widths[k], utf8.RuneCountInString(c))
		}
	}
	for i, row := range t.rows {
		if t.isTitle[i] {
			b.WriteString(row[0] + "\n")
			continue
		}
		var line strings.Builder
		for k, c := range row {
			pad := strings.Repeat(" ", widths[k]-utf8.RuneCountInString(c))
			if k > 0 {
				line.WriteString("  ")
			}
			if t.align[k] == 'r' {
				line.WriteString(pad + c)
			} else {
				line.WriteString(c + pad)
			}
		}
		b.WriteString(strings.TrimRight(line.String(), " ") + "\n")
	}
}
