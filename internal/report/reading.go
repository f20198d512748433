package report

import (
	"fmt"
	"io"
	"strings"

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
			fmtRate(maxOffered(st)), fmtDur(maxP99(st)))
	} else {
		k := &st[knee]
		if knee > 0 {
			fmt.Fprintf(&b, "- Up to %s rps (stages 1–%d) the target kept up: p99 went from %s to %s, rejects %s.\n",
				fmtRate(st[knee-1].OfferedRPS), knee, fmtDur(first.Latency.P99), fmtDur(st[knee-1].Latency.P99), pctClass(&st[knee-1], "503"))
		}
		fmt.Fprintf(&b, "- The knee is stage %d (%s rps): %s.\n", k.Index, fmtRate(k.OfferedRPS), why)
		last := &st[len(st)-1]
		if last.Index != k.Index {
			fmt.Fprintf(&b, "- Past it, at %s rps offered, the target delivered %s 2xx/s; %s of requests were answered 503 and %s failed; the p99 of 2xx responses was %s (of all responses %s).\n",
				fmtRate(last.OfferedRPS), fmtRate(last.ThroughputRPS), pctClass(last, "503"), pctClass(last, "errors"),
				fmtDur(last.Latency2xx.P99), fmtDur(last.Latency.P99))
		}
		if reject, _ := last.Ratio("503"); reject > 0.01 && last.Latency2xx.P99 < 10*first.Latency2xx.P99+0.05 {
			fmt.Fprintln(&b, "- It shed load with fast 503s and kept the latency of what it accepted bounded: backpressure working as intended.")
		} else if last.Latency.P99 > 10*first.Latency.P99 {
			fmt.Fprintln(&b, "- Latency grew by more than ten times instead of the target shedding load: look for an unbounded queue.")
		}
	}
	if a := r.Analysis; a != nil {
		readingTheory(&b, r, a)
	}
	if r.GeneratorLimited {
		fmt.Fprintln(&b, "- Careful: the generator itself limited the load (see the warnings), so the numbers understate what was planned.")
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
		rej, _ := s.Ratio("503")
		errs, _ := s.Ratio("errors")
		switch {
		case s.Scheduled == 0:
			continue
		case rej+errs > 0.01:
			return i, fmt.Sprintf("%s of requests were rejected or failed", fmtPct(rej+errs))
		case s.Sent > 0 && s.ThroughputRPS < 0.99*s.AchievedRPS:
			return i, fmt.Sprintf("only %s 2xx/s of the %s rps sent were answered 2xx", fmtRate(s.ThroughputRPS), fmtRate(s.AchievedRPS))
		case i > 0 && base > 0 && s.Latency.P99 > 2*base:
			return i, fmt.Sprintf("p99 rose to %s, more than twice the %s of the first stage", fmtDur(s.Latency.P99), fmtDur(base))
		}
	}
	return -1, ""
}

func readingTheory(b *strings.Builder, r *result.Result, a *result.Analysis) {
	m := a.Model
	fmt.Fprintf(b, "- Theory: %s with c = %d, queue %d, E[S] = %s (%s). Capacity %s rps.\n",
		m.Name, m.Workers, m.Queue, fmtDur(m.ServiceMeanS), m.Source, fmtRate(a.CapacityRPS))
	for _, s := range a.Stages {
		if s.Index != len(r.Stages) && (a.Knee == nil || s.Index != a.Knee.Stage) {
			continue
		}
		fmt.Fprintf(b, "  stage %d: predicted 503 ratio %s, p99 %s; measured %s, %s.\n", s.Index,
			fmtPct(s.Predicted.BlockRatio), fmtDur(s.Predicted.ResponseP99S), fmtPct(s.Observed.BlockRatio), fmtDur(s.Observed.ResponseP99S))
	}
	var worst float64
	for _, s := range a.Stages {
		if s.Little.Ratio > 0 {
			worst = max(worst, abs(s.Little.Ratio-1))
		}
	}
	fmt.Fprintf(b, "- Little's law L = X·W holds to %s on every stage (the bookkeeping is sound).\n", fmtPct(worst))
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func pctClass(s *result.Stage, class string) string {
	v, _ := s.Ratio(class)
	return fmtPct(v)
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
