package report

import (
	"regexp"
	"strings"
)

var (
	outlineTag = regexp.MustCompile(`<(/?)(section|figure|svg|table|h1|h2|h3|ul|pre|header|footer)\b([^>]*)>`)
	outlineID  = regexp.MustCompile(`\bid="([^"]*)"`)
	outlineCls = regexp.MustCompile(`\bclass="([^"]*)"`)
	elemCount  = regexp.MustCompile(`<(path|circle|rect|line|text|tr)\b`)
)

// htmlOutline reduces a rendered report to its structure: the sections,
// figures, tables and headings, each SVG with the number of elements of
// each kind. It is what the golden outline file records, so a change of
// structure shows as a readable diff.
func htmlOutline(doc string) string {
	var b strings.Builder
	depth := 0
	locs := outlineTag.FindAllStringSubmatchIndex(doc, -1)
	for _, m := range locs {
		closing := doc[m[2]:m[3]] == "/"
		tag, attrs := doc[m[4]:m[5]], doc[m[6]:m[7]]
		if closing {
			if tag != "h1" && tag != "h2" && tag != "h3" && tag != "pre" {
				depth--
			}
			continue
		}
		line := strings.Repeat("  ", depth) + tag
		if id := outlineID.FindStringSubmatch(attrs); id != nil {
			line += "#" + id[1]
		}
		if cls := outlineCls.FindStringSubmatch(attrs); cls != nil {
			line += "." + strings.ReplaceAll(cls[1], " ", ".")
		}
		switch tag {
		case "h1", "h2", "h3":
			end := strings.Index(doc[m[1]:], "</"+tag+">")
			line += " " + doc[m[1]:m[1]+end]
		case "svg", "table", "pre":
			end := strings.Index(doc[m[1]:], "</"+tag+">")
			body := doc[m[1] : m[1]+end]
			counts := map[string]int{}
			for _, e := range elemCount.FindAllStringSubmatch(body, -1) {
				counts[e[1]]++
			}
			var parts []string
			for _, k := range sortedKeys(counts) {
				parts = append(parts, k+"="+itoa(counts[k]))
			}
			if len(parts) > 0 {
				line += " (" + strings.Join(parts, " ") + ")"
			}
		}
		if !(tag == "svg" && strings.Contains(attrs, "aria-hidden")) { // not a legend swatch
			b.WriteString(line + "\n")
		}
		if tag != "h1" && tag != "h2" && tag != "h3" && tag != "pre" {
			depth++
		}
	}
	return b.String()
}
