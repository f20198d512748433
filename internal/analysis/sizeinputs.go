package analysis

import (
	"errors"
	"fmt"
	"math"

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// ErrNoServiceTime is SizeInputs' error for a result from which no
// service time can be had: the caller asks for one.
var ErrNoServiceTime = errors.New("no service time in the result (no Server-Timing and no stage with enough responses)")

// SizeInputs reads what `size --from RESULT.json` needs from a result:
//
//   - rate: the peak achieved rate, the highest sent/τ of any stage
//     (what the target was actually offered, not the plan);
//   - service: the service-time distribution, from the target's
//     Server-Timing (pooled over stages: mean and SCV of the svc entries)
//     when present, else estimated from the lowest-load stage's response
//     times (an upper estimate; see the notes);
//   - arrivalSCV: the arrival SCV at that peak stage, less the part
//     explained by send-time jitter (docs/queueing.md §4), clamped to [0, 100];
//
// with notes saying where each came from. The distribution follows
// dist.FromMeanSCV (deterministic for SCV 0, exponential for SCV
// within 0.1 of 1, lognormal otherwise). It fails when the result has no
// stage that sent anything or no service time can be had (ErrNoServiceTime).
func SizeInputs(r *result.Result) (rate float64, service dist.Dist, arrivalSCV float64, notes []string, err error) {
	if r == nil {
		return 0, service, 0, nil, errors.New("size inputs: no result")
	}
	an := newAnalyzer(r, ModelSpec{})
	data := an.data
	notes = append(notes, an.warn...)
	var peak *stageData
	for _, d := range data {
		if d.tau > 0 && d.st.Sent > 0 && (peak == nil || d.lambda > peak.lambda) {
			peak = d
		}
	}
	if peak == nil {
		return 0, service, 0, notes, errors.New("size inputs: the result has no stage that sent requests")
	}
	rate = peak.lambda
	notes = append(notes, fmt.Sprintf("rate %.4g rps: the highest achieved rate (stage %d)", rate, peak.st.Index))
	arrivalSCV = math.Min(100, peak.ca2)
	if peak.st.Gaps < minGapsForSCV {
		arrivalSCV = 0
		if r.Arrival == "poisson" {
			arrivalSCV = 1
		}
		notes = append(notes, fmt.Sprintf("arrival SCV %g from the result's %q label: stage %d has too few sends to measure it", arrivalSCV, r.Arrival, peak.st.Index))
	} else {
		notes = append(notes, fmt.Sprintf("arrival SCV %.3g: measured at stage %d (%.3g before removing send jitter)", arrivalSCV, peak.st.Index, peak.ca2Raw))
	}
	obs := observeShedding(r, data)
	ovh := measureOverhead(data, obs)
	svc := resolveService(r, data, ModelSpec{}, ovh)
	notes = append(notes, svc.warnings...)
	an.svc = svc
	if w := an.cutOffWarning(obs); w != "" { // baseloss.go
		notes = append(notes, w)
	}
	if !svc.known() {
		return rate, service, arrivalSCV, notes, fmt.Errorf("size inputs: %w", ErrNoServiceTime)
	}
	scv := svc.scv
	if math.Abs(scv-1) <= expSCVTol {
		scv = 1
	}
	service, err = dist.FromMeanSCV(svc.mean, scv)
	if err != nil {
		return rate, service, arrivalSCV, notes, fmt.Errorf("size inputs: %w", err)
	}
	notes = append(notes, fmt.Sprintf("service %s: E[S] %s ± %s and SCV %.3g from %s", service.Rounded(), numfmt.Seconds(svc.mean),
		numfmt.Seconds(math.Max(svc.hw, svc.measuredHW)), svc.scv, svc.source))
	return rate, service, arrivalSCV, notes, nil
}

// SizeMechanism is how a sizing should say the target sheds: given, the
// mechanism a person chose, when not ""; else, from r, "queue-timeout" or
// "rate-limit" when Analyze recognises one of them (with a note saying so
// and how sure); else "" (a bounded queue), with a note when Analyze
// recognised another way of shedding, which the bounded queue stands for.
// r may be nil (no saved run).
func SizeMechanism(r *result.Result, given string) (mechanism, note string) {
	if given != "" || r == nil {
		return given, ""
	}
	a, err := Analyze(r, ModelSpec{})
	if err != nil || a.Shedding == nil {
		return "", ""
	}
	m := a.Shedding.Mechanism
	sure := fmt.Sprintf("the target sheds by %s (recognised with confidence %s)", m, numfmt.Share(a.Shedding.Confidence))
	switch m {
	case mechQueueTimeout, mechRateLimit:
		return m, sure + ": sized as one"
	case mechAdaptive:
		return "", sure + ": sized as a bounded queue, the fixed limit an adaptive one moves around (the workers, and the level K it should settle at)"
	case mechConcurrency:
		return "", sure + ": sized as a bounded queue, of which a concurrency limit is the one with no waiting slots"
	case mechUnbounded:
		return "", sure + ": it did not shed; sized as the bounded queue that would have kept the latency within the SLO"
	}
	return "", ""
}
