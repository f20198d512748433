package compare

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// CapacityReport compares two capacity searches (capacity -o CAP.json):
// the capacity each found, the bracket it lies in, and the backpressure
// verdict past it.
type CapacityReport struct {
	Base CapacitySide `json:"base"`
	New  CapacitySide `json:"new"`
	// DeltaRPS is New − Base capacity; Rel is DeltaRPS/Base (nil when the
	// base found none).
	DeltaRPS float64  `json:"delta_rps"`
	Rel      *float64 `json:"rel,omitempty"`
	// Verdict is Improvement when NEW passed a rate BASE failed,
	// Regression when NEW failed a rate BASE passed, else NoChange (the
	// brackets overlap: the difference is within the searches' precision).
	Verdict Verdict `json:"verdict"`
	// Reason says what decided the verdict.
	Reason   string   `json:"reason"`
	Warnings []string `json:"warnings,omitempty"`
}

// CapacitySide is one compared search.
type CapacitySide struct {
	Name         string   `json:"name,omitempty"` // set by the caller (a file name)
	URL          string   `json:"url"`
	SLO          []string `json:"slo"`
	CapacityRPS  float64  `json:"capacity_rps"`
	PassRPS      float64  `json:"pass_rps"` // the bracket: PassRPS passed, FailRPS (0: none) did not
	FailRPS      float64  `json:"fail_rps"`
	Stopped      string   `json:"stopped_because"`
	Backpressure string   `json:"backpressure,omitempty"` // holds, fails, unknown; "" without overload probes
}

// maxRPS bounds the rates a document may hold; beyond it, or negative or
// not a number, a rate is read as 0 (a hostile or broken document).
const maxRPS = 1e12

// capacitySide reads c's figures; bad is true when a rate was out of
// range and read as 0.
func capacitySide(c *result.Capacity) (s CapacitySide, bad bool) {
	rate := func(v float64) float64 {
		if !(v >= 0 && v <= maxRPS) {
			bad = true
			return 0
		}
		return v
	}
	s = CapacitySide{URL: c.Target.URL, SLO: c.SLO, CapacityRPS: rate(c.CapacityRPS),
		PassRPS: rate(c.Bracket.PassRPS), FailRPS: rate(c.Bracket.FailRPS), Stopped: c.StoppedBecause}
	if c.Backpressure != nil {
		s.Backpressure = c.Backpressure.Verdict
	}
	return s, bad
}

// Capacities compares two capacity searches. Their capacities differ
// beyond the searches' own precision when their brackets are disjoint:
// NEW passed a rate at or above one BASE failed (improvement), or failed
// one at or below one BASE passed (regression). A capacity search probes
// each rate with confidence intervals on its SLOs, so a bracket is what it
// knows; two searches whose brackets overlap cannot tell their capacities
// apart.
func Capacities(base, next *result.Capacity) *CapacityReport {
	b, badB := capacitySide(base)
	n, badN := capacitySide(next)
	rep := &CapacityReport{Base: b, New: n, DeltaRPS: n.CapacityRPS - b.CapacityRPS, Verdict: NoChange}
	if badB || badN {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("a rate in a document is not one (negative, above %g or not a number): read as 0", maxRPS))
	}
	if b.CapacityRPS > 0 {
		rel := rep.DeltaRPS / b.CapacityRPS
		rep.Rel = &rel
	}
	switch {
	case b.FailRPS > 0 && n.PassRPS >= b.FailRPS:
		rep.Verdict = Improvement
		rep.Reason = fmt.Sprintf("NEW passed %s rps, which BASE failed (its bracket: %s)", numfmt.Rate(n.PassRPS), bracket(b))
	case n.FailRPS > 0 && n.FailRPS <= b.PassRPS:
		rep.Verdict = Regression
		rep.Reason = fmt.Sprintf("NEW failed %s rps, which BASE passed (its bracket: %s)", numfmt.Rate(n.FailRPS), bracket(b))
	default:
		rep.Reason = fmt.Sprintf("the brackets overlap (BASE %s, NEW %s): the difference is within the searches' precision", bracket(b), bracket(n))
	}
	if !slices.Equal(b.SLO, n.SLO) {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the SLOs differ (BASE: %s; NEW: %s): the capacities answer different questions", strings.Join(b.SLO, ", "), strings.Join(n.SLO, ", ")))
	}
	if b.URL != n.URL {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the targets differ: %s and %s", b.URL, n.URL))
	}
	if base.Arrival != next.Arrival {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("the arrivals differ: %s and %s", base.Arrival, next.Arrival))
	}
	for _, s := range []CapacitySide{b, n} {
		if s.Stopped == result.StopMax || s.Stopped == result.StopMin || s.Stopped == result.StopInterrupted {
			rep.Warnings = append(rep.Warnings, fmt.Sprintf("a search stopped at %s (%s rps passed, %s): its capacity is a bound, not a bracket", s.Stopped, numfmt.Rate(s.PassRPS), failText(s)))
			break
		}
	}
	if b.Backpressure != n.Backpressure && b.Backpressure != "" && n.Backpressure != "" {
		rep.Warnings = append(rep.Warnings, fmt.Sprintf("past capacity the backpressure %s in BASE and %s in NEW", b.Backpressure, n.Backpressure))
	}
	return rep
}

func bracket(s CapacitySide) string {
	return fmt.Sprintf("%s passed, %s", numfmt.Rate(s.PassRPS), failText(s))
}

func failText(s CapacitySide) string {
	if s.FailRPS <= 0 {
		return "none failed"
	}
	return numfmt.Rate(s.FailRPS) + " did not"
}

// WriteText prints the comparison for people.
func (r *CapacityReport) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, s := range []struct {
		label string
		side  CapacitySide
	}{{"base", r.Base}, {"new ", r.New}} {
		bp := ""
		if s.side.Backpressure != "" {
			bp = ", backpressure " + s.side.Backpressure
		}
		fmt.Fprintf(&b, "%s  %s  capacity %s rps (%s)%s\n", s.label, s.side.Name, numfmt.Rate(s.side.CapacityRPS), bracket(s.side), bp)
	}
	for _, wn := range r.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", wn)
	}
	change := fmt.Sprintf("%+.0f rps", r.DeltaRPS)
	if r.Rel != nil {
		change += " (" + numfmt.Change(*r.Rel) + ")"
	}
	verdict := string(r.Verdict)
	if r.Verdict == NoChange {
		verdict = "no significant change"
	}
	fmt.Fprintf(&b, "\nverdict: %s: capacity %s; %s\n", verdict, change, r.Reason)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON prints the comparison as indented JSON.
func (r *CapacityReport) WriteJSON(w io.Writer) error { return writeJSON(w, r) }
