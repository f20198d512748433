package analysis

import (
	"fmt"
	"sort"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A collapse is overload that the target did not shed: the requests it
// admitted failed instead (a proxy's 504 once its server timeout passed,
// 502s, 500s, timeouts, resets) while the 2xx throughput fell. No shedding
// mechanism models that, and the admitted rate it leaves looks like a
// rate limit's: HAProxy with `timeout server 30ms` in front of the built-in
// target (4 workers, 5 ms, a queue of 1000) at 1200 rps answered 13 2xx/s,
// 4,129 504s and 619 503s in 4 s, and was recognised as a rate limit of
// 1,042 requests/s with that as its capacity, above the 800 2xx/s it had
// served at the stage before.

// collapsed is the stage that shed with the most admitted requests that
// failed, when they outnumber its 2xx responses, and what they were; nil
// when no stage did.
func (an *analyzer) collapsed() (*stageData, int64) {
	var worst *stageData
	var most int64
	for _, d := range an.data {
		if d.responses < shedStageMin || float64(d.n503) < minShedStage*float64(d.responses) {
			continue
		}
		if failed := d.responses - d.n2xx - d.n503 + d.errors; failed > d.n2xx && failed > most {
			worst, most = d, failed
		}
	}
	return worst, most
}

// noteCollapse makes a recognised mechanism unknown when a shedding stage
// collapsed (collapsed), with the evidence first; a mechanism given stays.
func (an *analyzer) noteCollapse(rc *recognition) {
	d, failed := an.collapsed()
	if d == nil || rc.given {
		return
	}
	rc.evidence = append([]string{fmt.Sprintf(result.UnknownCollapse+" at stage %d, %s of the %s requests not shed failed (%s) against %s 2xx: admitted and then lost, which no shedding mechanism models; the 2xx throughput, not the admitted rate, is what the target could do",
		d.st.Index, numfmt.Int(failed), numfmt.Int(d.responses-d.n503+d.errors), failures(d.st), numfmt.Int(d.n2xx))}, rc.evidence...)
	rc.best = candidate{mech: mechUnknown}
	rc.cands = []result.Candidate{{Mechanism: mechUnknown, Probability: 1}}
	rc.confidence = 1
}

// failures lists a stage's failed outcomes other than 2xx and shed ones,
// the largest first: "504 ×4,129, timeout ×3".
func failures(st *result.Stage) string {
	type kv struct {
		k string
		n int64
	}
	var xs []kv
	for code, n := range st.Status {
		if n > 0 && !strings.HasPrefix(code, "2") && code != "503" && code != "429" {
			xs = append(xs, kv{code, n})
		}
	}
	for class, n := range st.Errors {
		if n > 0 {
			xs = append(xs, kv{class, n})
		}
	}
	sort.Slice(xs, func(i, j int) bool { return xs[i].n > xs[j].n || xs[i].n == xs[j].n && xs[i].k < xs[j].k })
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = x.k + " ×" + numfmt.Int(x.n)
	}
	return strings.Join(parts, ", ")
}
