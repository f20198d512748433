package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// Reading writes a short plain-language reading of a step-like result:
// where the target stopped keeping up (the knee), how the reject ratio and
// the p99 moved before and after it, and, when the result carries a
// capacity analysis, how theory compared with the measurement.
func Reading(w io.Writer, r *result.Result) error {
	var b strings.Builder
	st := r.Stages
	if len(st) == 0 {
		return nil
	}
	fmt.Fprintln(&b, "Reading:")
	knee, why := readingKnee(r)
	first := &st[0]
	if knee < 0 {
		fmt.Fprintf(&b, "- The target kept up at every stage, up to %s rps: nothing was rejected and p99 stayed at %s or below.\n",
			numfmt.Rate(maxOffered(st)), numfmt.Duration(maxP99(st)))
	} else {
		k := &st[knee]
		if knee > 0 {
			fmt.Fprintf(&b, "- Up to %s rps (stages 1–%d) the target kept up within the run's noise: p99 went from %s to %s, rejects reached %s.\n",
				numfmt.Rate(st[knee-1].OfferedRPS), knee, numfmt.Duration(first.Latency.P99), numfmt.Duration(st[knee-1].Latency.P99), numfmt.Percent(shedRatio(r, &st[knee-1])))
		}
		fmt.Fprintf(&b, "- The knee is stage %d (%s rps): %s.\n", k.Index, numfmt.Rate(k.OfferedRPS), why)
		last := &st[len(st)-1]
		if last.Index != k.Index {
			fmt.Fprintf(&b, "- Past it, at %s rps offered, the target delivered %s 2xx/s; %s of requests were answered %s and %s failed; the p99 of 2xx responses was %s (of all responses %s).\n",
				numfmt.Rate(last.OfferedRPS), numfmt.Rate(last.ThroughputRPS), numfmt.Percent(shedRatio(r, last)), shedAnswers(r), pctClass(last, "errors"),
				numfmt.Duration(last.Latency2xx.P99), numfmt.Duration(last.Latency.P99))
		}
		if reject := shedRatio(r, last); reject > 0.01 && last.Latency2xx.P99 < 10*first.Latency2xx.P99+0.05 {
			fmt.Fprintln(&b, "- It shed load with "+shedHow(r)+" and kept the latency of what it accepted bounded: backpressure working as intended.")
		} else if last.Latency.P99 > 10*first.Latency.P99 {
			fmt.Fprintln(&b, "- Latency grew by more than ten times instead of the target shedding load: look for an unbounded queue.")
		}
	}
	if a := r.Analysis; a != nil {
		readingTheory(&b, r, a)
	}
	if g := r.GeneratorLimit(); g != "" {
		fmt.Fprintln(&b, "- Careful: "+g+".")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// readingKnee is the analysis's knee when there is one, else the first
// stage where more than 1% of the requests sent were not answered 2xx, or
// p99 passed twice the first stage's. It compares 2xx with what was sent,
// not with the planned rate, so the arrival process's own randomness (a
// Poisson stage sends ±√n of its plan) is never mistaken for a knee.
func readingKnee(r *result.Result) (int, string) {
	if a := r.Analysis; a != nil && a.Knee != nil {
		for i := range r.Stages {
			if r.Stages[i].Index == a.Knee.Stage {
				return i, a.Knee.Reason
			}
		}
	}
	base := r.Stages[0].Latency.P99
	for i := range r.Stages {
		s := &r.Stages[i]
		rej := shedRatio(r, s)
		errs, _ := s.Ratio("errors")
		switch {
		case s.Scheduled == 0:
			continue
		case rej+errs > 0.01:
			return i, fmt.Sprintf("%s of requests were rejected or failed", numfmt.Percent(rej+errs))
		case s.Sent > 0 && s.ThroughputRPS < 0.99*s.AchievedRPS:
			return i, fmt.Sprintf("only %s 2xx/s of the %s rps sent were answered 2xx", numfmt.Rate(s.ThroughputRPS), numfmt.Rate(s.AchievedRPS))
		case i > 0 && base > 0 && s.Latency.P99 > 2*base:
			return i, fmt.Sprintf("p99 rose to %s, more than twice the %s of the first stage", numfmt.Duration(s.Latency.P99), numfmt.Duration(base))
		}
	}
	return -1, ""
}

// readingTheory says what the queueing model made of the run: the model
// and where its numbers came from, prediction against measurement (with
// the agreement band) at the knee and at the last stage, a one-line
// verdict over every stage, and Little's law.
func readingTheory(b *strings.Builder, r *result.Result, a *result.Analysis) {
	m := a.Model
	if m.Name == "" || m.Name == "none" {
		fmt.Fprintln(b, "- Theory: no queueing model could be formed from this run (see the analysis warnings).")
	} else {
		model := m.Name
		if m.Kendall != "" {
			model += " (" + m.Kendall + ")"
		}
		fmt.Fprintf(b, "- Theory: %s with %s, E[S] = %s %s.", model, shapePhrase(a), numfmt.Duration(m.ServiceMeanS), sourcePhrase(m.Source))
		if a.CapacityRPS > 0 {
			fmt.Fprintf(b, " Capacity %s rps.", numfmt.Rate(a.CapacityRPS))
		}
		b.WriteString("\n")
		for _, s := range a.Stages {
			if s.Index != len(r.Stages) && (a.Knee == nil || s.Index != a.Knee.Stage) {
				continue
			}
			if s.Agreement == nil {
				continue
			}
			fmt.Fprintf(b, "  stage %d: predicted 503 ratio %s, p99 %s; measured %s, %s", s.Index,
				checkPred(s.Agreement.BlockRatio, numfmt.Percent), checkPred(s.Agreement.ResponseP99S, numfmt.Duration),
				numfmt.Percent(s.Observed.BlockRatio), numfmt.Duration(s.Observed.ResponseP99S))
			if s.Verdict != "" {
				b.WriteString(": " + s.Verdict)
			}
			b.WriteString(".\n")
		}
		if sh := SheddingSummary(a.Shedding); sh != "" {
			b.WriteString("- How it shed: " + sh + ".\n")
		}
		if line := theoryVerdict(a); line != "" {
			b.WriteString("- " + line + "\n")
		}
	}
	var worst float64
	var flagged []string
	for _, s := range a.Stages {
		if s.Little.Ratio > 0 {
			worst = max(worst, abs(s.Little.Ratio-1))
		}
		if s.Little.Flagged {
			flagged = append(flagged, fmt.Sprint(s.Index))
		}
	}
	if len(flagged) > 0 {
		fmt.Fprintf(b, "- Careful: Little's law L = X·W fails at stage %s (by up to %s, more than the stage's ends explain): a bookkeeping problem in the measurement, so read its numbers with suspicion.\n",
			strings.Join(flagged, ", "), numfmt.Percent(worst))
	} else {
		fmt.Fprintf(b, "- Little's law L = X·W holds to %s on every stage (the bookkeeping is sound).\n", numfmt.Percent(worst))
	}
}

// sourcePhrase says where E[S] came from.
func sourcePhrase(src string) string {
	switch src {
	case "server-timing":
		return "as the target measured it (Server-Timing)"
	case "estimated":
		return "estimated from the lowest-load stage (an upper estimate)"
	case "given":
		return "as given"
	}
	return "(" + src + ")"
}

// checkPred is a prediction with its agreement band: "14% ± 6.2%".
func checkPred(c *result.Check, f func(float64) string) string {
	if c == nil {
		return "–"
	}
	p := f(c.Predicted)
	if c.Bound == "lower" {
		p = "≥ " + p
	}
	if c.Band > 0 {
		p += " ± " + f(c.Band)
	}
	return p
}

// theoryVerdict sums up the stage verdicts in one sentence.
func theoryVerdict(a *result.Analysis) string {
	var agree, disagree, undecided, growing []string
	for _, s := range a.Stages {
		idx := fmt.Sprint(s.Index)
		if s.Growth != nil {
			growing = append(growing, idx)
			continue
		}
		if s.Agreement == nil {
			continue
		}
		switch {
		case strings.HasPrefix(s.Verdict, "disagrees"):
			disagree = append(disagree, idx+" ("+strings.TrimPrefix(s.Verdict, "disagrees: ")+")")
		case strings.HasPrefix(s.Verdict, "agrees"):
			agree = append(agree, idx)
		default:
			undecided = append(undecided, idx)
		}
	}
	tail := ""
	if len(growing) > 0 {
		tail = " Stage " + strings.Join(growing, ", ") + " had no steady state (an unbounded queue in overload): its latency only grows."
	}
	switch {
	case len(disagree) > 0:
		return "The model disagrees with the measurement at stage " + strings.Join(disagree, ", ") +
			": beyond the run's own noise and the uncertainty of E[S]. A constant offset points at unaccounted overhead; an error growing with load at a load-dependent service time or a hidden queue." + tail
	case len(agree) > 0 && len(undecided) > 0:
		return "The model agrees with every stage the data can judge (" + strings.Join(agree, ", ") + "); stage " + strings.Join(undecided, ", ") + " had too little data to say." + tail
	case len(agree) > 0:
		return "The model agrees with the measurement at every stage it predicts, within the run's own noise." + tail
	case len(undecided) > 0:
		return "The run was too short to judge the model at any stage." + tail
	}
	return strings.TrimSpace(tail)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func pctClass(s *result.Stage, class string) string {
	v, _ := s.Ratio(class)
	return numfmt.Percent(v)
}

func maxOffered(st []result.Stage) float64 {
	var m float64
	for _, s := range st {
		m = max(m, s.OfferedRPS)
	}
	return m
}

func maxP99(st []result.Stage) float64 {
	var m float64
	for _, s := range st {
		m = max(m, s.Latency.P99)
	}
	return m
}

// shedHow names the 503s of the target's shedding mechanism.
func shedHow(r *result.Result) string {
	if a := r.Analysis; a != nil && a.Shedding != nil {
		switch sh := a.Shedding; sh.Mechanism {
		case "queue-timeout":
			return sh.Answer() + "s after a queue timeout of about " + numfmt.Duration(sh.QueueTimeoutS)
		case "rate-limit":
			return "a rate limit of about " + numfmt.Rate(sh.RateRPS) + " requests/s"
		}
	}
	if a := r.Analysis; a != nil {
		return "fast " + a.Shedding.Answer() + "s"
	}
	return "fast 503s"
}

// shapePhrase is the model's workers and queue (or what stands for one).
func shapePhrase(a *result.Analysis) string {
	m := a.Model
	if sh := a.Shedding; sh != nil {
		switch sh.Mechanism {
		case "queue-timeout":
			return fmt.Sprintf("c = %d and a queue timeout of %s", m.Workers, numfmt.Duration(sh.QueueTimeoutS))
		case "rate-limit":
			if sh.Queue != nil && *sh.Queue > 0 {
				return fmt.Sprintf("a rate limit of %s requests/s that delays up to %d", numfmt.Rate(sh.RateRPS), *sh.Queue)
			}
			return fmt.Sprintf("a token bucket of %s requests/s", numfmt.Rate(sh.RateRPS))
		}
	}
	return fmt.Sprintf("c = %d, queue %d", m.Workers, m.Queue)
}
