package golden

import (
	"fmt"
	"strings"
)

// Diff lists the lines that differ between want and got, unified-diff
// style: "-" lines only in want, "+" lines only in got, with two lines of
// context and the line numbers of want. The lines common to both ends are
// set aside first, so a change in a long file costs only its own size; at
// most maxDiffLines lines are shown.
func Diff(want, got string) string {
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	if pre == len(a) && pre == len(b) {
		return "(no line differs)"
	}
	var out []string
	from := max(0, pre-context)
	out = append(out, fmt.Sprintf("@@ line %d @@", from+1))
	for _, l := range a[from:pre] {
		out = append(out, "  "+clip(l))
	}
	out = append(out, middle(a[pre:len(a)-suf], b[pre:len(b)-suf])...)
	for _, l := range a[len(a)-suf : min(len(a), len(a)-suf+context)] {
		out = append(out, "  "+clip(l))
	}
	if len(out) > maxDiffLines {
		out = append(out[:maxDiffLines], fmt.Sprintf("... (%d more lines of diff)", len(out)-maxDiffLines))
	}
	return strings.Join(out, "\n")
}

const (
	context      = 2
	maxDiffLines = 60
	maxCells     = 4 << 20 // the LCS table's size limit; beyond it, the middle is shown as removed then added
)

// middle diffs the lines between the common ends by their longest common
// subsequence.
func middle(a, b []string) []string {
	var out []string
	if len(a)*len(b) > maxCells {
		for _, l := range a {
			out = append(out, "- "+clip(l))
		}
		for _, l := range b {
			out = append(out, "+ "+clip(l))
		}
		return out
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			out = append(out, "  "+clip(a[i]))
			i, j = i+1, j+1
		case i < len(a) && (j == len(b) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "- "+clip(a[i]))
			i++
		default:
			out = append(out, "+ "+clip(b[j]))
			j++
		}
	}
	return out
}

// clip shortens a long line (an HTML page's) for the log.
func clip(s string) string {
	const n = 200
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
