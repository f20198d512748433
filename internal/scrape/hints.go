package scrape

import (
	"bytes"
	"fmt"
	"strings"
)

// Hints: by default the series with labels are left out (there are often
// hundreds: HAProxy's per proxy and server), so the warning names a few
// that look worth choosing.

// hintWords mark a family worth naming when the default leaves it out
// (HAProxy's haproxy_backend_current_queue, Envoy's upstream_rq_active and
// upstream_rq_pending_active), at most maxHints of them, those with "queue"
// first but one place kept for the others; names with max, limit or total are levels or counts of another
// kind.
var hintWords = [][]byte{[]byte("queue"), []byte("flight"), []byte("concurren"), []byte("busy"), []byte("active"), []byte("pending"), []byte("current_sessions")}

const maxHints = 4

// hintNote says, for an exposition with nothing kept, that labelled
// series were left out and how to choose them.
func (d dropped) hintNote(hints []string) string {
	if d.labelled == 0 {
		return ""
	}
	s := fmt.Sprintf(" (%d labelled series left out: choose with --scrape-metric NAME", d.labelled)
	if len(hints) > 0 {
		s += ", perhaps " + strings.Join(hints, ", ")
	}
	return s + ")"
}

// hint keeps fam among the hints if its name says queue or concurrency
// (hintWords): "queue" names before the others, at most maxHints.
func (lf *lineFilter) hint(fam []byte) {
	if len(fam) > maxKeyBytes || bytes.Contains(fam, []byte("max")) || bytes.Contains(fam, []byte("limit")) || bytes.HasSuffix(fam, []byte("_total")) {
		return
	}
	tier := -1
	for i, w := range hintWords {
		if bytes.Contains(fam, w) {
			tier = min(i, 1)
			break
		}
	}
	if tier < 0 {
		return
	}
	for _, h := range lf.hints {
		if h == string(fam) {
			return
		}
	}
	at := len(lf.hints)
	if tier == 0 { // after the other queue names, before the rest
		at = 0
		for at < len(lf.hints) && bytes.Contains([]byte(lf.hints[at]), hintWords[0]) {
			at++
		}
	}
	if at >= maxHints || tier == 0 && at == maxHints-1 { // room for one of the rest
		return
	}
	lf.hints = append(lf.hints[:at], append([]string{string(fam)}, lf.hints[at:]...)...)
	if len(lf.hints) > maxHints {
		lf.hints = lf.hints[:maxHints]
	}
}
