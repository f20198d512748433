package analysis

import (
	"fmt"
	"math"
	"slices"
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
// collapsed (collapsed) or shut the load out (shutOut), with the evidence
// first; a mechanism given stays.
func (an *analyzer) noteCollapse(rc *recognition) {
	if rc.given {
		return
	}
	d, failed := an.collapsed()
	if d == nil {
		an.noteShutOut(rc)
		return
	}
	rc.evidence = append([]string{fmt.Sprintf(result.UnknownCollapse+" at stage %d, %s of the %s requests not shed failed (%s) against %s 2xx: admitted and then lost, which no shedding mechanism models; the 2xx throughput, not the admitted rate, is what the target could do",
		d.st.Index, numfmt.Int(failed), numfmt.Int(d.responses-d.n503+d.errors), failures(d), numfmt.Int(d.n2xx))}, rc.evidence...)
	rc.best = candidate{mech: mechUnknown}
	rc.cands = []result.Candidate{{Mechanism: mechUnknown, Probability: 1}}
	rc.confidence = 1
}

// failures lists a stage's failed outcomes other than 2xx and shed ones,
// the largest first: "504 ×4,129, timeout ×3".
func failures(d *stageData) string {
	return outcomes(d.st, func(code string) bool { return !slices.Contains(d.shed.codes, code) })
}

// notOK lists a stage's answers other than 2xx, shed ones among them, and
// its transport errors, the largest first: "503 ×64, timeout ×3".
func notOK(d *stageData) string {
	return outcomes(d.st, func(string) bool { return true })
}

// outcomes lists st's statuses other than 2xx that keep selects, and its
// transport errors, the largest first.
func outcomes(st *result.Stage, keep func(code string) bool) string {
	type kv struct {
		k string
		n int64
	}
	var xs []kv
	for code, n := range st.Status {
		if n > 0 && !strings.HasPrefix(code, "2") && keep(code) {
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

// Shut out is overload the target refused nearly all of: its 2xx
// throughput fell as the offered load rose, to less than half of what it
// served at a lower load. Every shedding mechanism modelled here admits at
// least its capacity however much is offered; a limiter that counts the
// requests it refuses does not (HAProxy's `sc_http_req_rate` over a
// 1-second window, denying above 300: 228 2xx/s at 300 offered, 11 at
// 450, none at 600), and was recognised as an adaptive limit of 1 in
// flight with 94%.

// shutOut is the shedding stage whose 2xx throughput fell furthest below
// the highest one at a lower offered rate, to less than half of it and by
// more than three standard errors of the two counts (Poisson), with that
// stage; nil when none did.
func (an *analyzer) shutOut() (d, before *stageData) {
	worst := 1.0
	for _, s := range an.data {
		if s.responses < shedStageMin || s.tau <= 0 || float64(s.n503) < minShedStage*float64(s.responses) {
			continue
		}
		var b *stageData // the highest 2xx throughput at a lower load
		for _, o := range an.data {
			if o.tau > 0 && o.lambda < s.lambda && (b == nil || float64(o.n2xx)/o.tau > float64(b.n2xx)/b.tau) {
				b = o
			}
		}
		if b == nil || b.n2xx == 0 {
			continue
		}
		x, xb := float64(s.n2xx)/s.tau, float64(b.n2xx)/b.tau
		se := math.Sqrt(float64(b.n2xx)/(b.tau*b.tau) + float64(s.n2xx)/(s.tau*s.tau))
		if r := x / xb; r < 0.5 && xb-x > 3*se && r < worst {
			worst, d, before = r, s, b
		}
	}
	return d, before
}

// noteShutOut makes the mechanism unknown when a stage shut the load out.
func (an *analyzer) noteShutOut(rc *recognition) {
	d, b := an.shutOut()
	if d == nil {
		return
	}
	rc.evidence = append([]string{fmt.Sprintf(result.UnknownShutOut+" at stage %d (%s requests/s offered) the target served %s 2xx/s, against %s at stage %d (%s offered): it refused more the more was offered, which no shedding mechanism modelled here does (each admits at least its capacity); a limiter that counts the requests it refuses, such as a rate over a window of all requests, shuts the load out like this",
		d.st.Index, numfmt.Rate(d.lambda), numfmt.Rate(float64(d.n2xx)/d.tau), numfmt.Rate(float64(b.n2xx)/b.tau), b.st.Index, numfmt.Rate(b.lambda))}, rc.evidence...)
	rc.best = candidate{mech: mechUnknown}
	rc.cands = []result.Candidate{{Mechanism: mechUnknown, Probability: 1}}
	rc.confidence = 1
	rc.shutOut = true
}
