package merge

import (
	"errors"
	"fmt"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Concat is the record of consecutive intervals of one plan at one rate,
// run one after the other (a capacity probe's batches, an extended probe's
// segments), as one stage: the time sum of the parts where Merge is their
// parallel sum. Counters, status and error maps, busy_s and the gap sums
// add up; histograms are added exactly and re-summarised; the stage's
// length is the sum of the parts' lengths (EndS = StartS + Σ lengths, the
// parts' own StartS kept for the first), so achieved_rps and throughput_rps
// are counts over that length, offered_rps and in_flight_mean are the
// length-weighted means of the parts', and in_flight_max is the largest.
// The responses' levels add up (one process's, part after part), unless a
// part with responses has none (recorded before they were).
// Index and Name are the first part's. The error names the part whose
// histogram cannot be read.
func Concat(parts []result.Stage) (result.Stage, error) {
	if len(parts) == 0 {
		return result.Stage{}, errors.New("concatenate stages: no stages")
	}
	first := &parts[0]
	out := result.Stage{
		Index: first.Index, Name: first.Name, StartS: first.StartS,
		Status: map[string]int64{}, Errors: zeroErrors(),
	}
	var gaps gapSums
	var st stServer
	var length, offered, inFlight float64
	levels := true
	ps := make([]part, len(parts))
	for i := range parts {
		s := &parts[i]
		ps[i] = part{input: i, st: s}
		l := s.LengthS()
		if !(l >= 0) {
			return result.Stage{}, fmt.Errorf("concatenate stages: part %d ends before it starts (%g s to %g s)", i+1, s.StartS, s.EndS)
		}
		length += l
		offered += s.OfferedRPS * l
		inFlight += s.InFlightMean * l
		out.InFlightMax = max(out.InFlightMax, s.InFlightMax)
		out.Scheduled += s.Scheduled
		out.Sent += s.Sent
		out.NotSent += s.NotSent
		out.Completed += s.Completed
		addCounts(out.Status, s.Status)
		addCounts(out.Errors, s.Errors)
		out.InFlightAtSend = result.AddLevels(out.InFlightAtSend, s.InFlightAtSend)
		levels = levels && (s.InFlightAtSend != nil || sum(s.Status) == 0)
		out.BusyS += s.BusyS
		gaps.add(s)
		st.add(s.ServerTiming)
	}
	if !levels {
		out.InFlightAtSend = nil
	}
	out.EndS = out.StartS + length
	if err := mergeStageHists("part", ps, &out); err != nil {
		return result.Stage{}, fmt.Errorf("concatenate stages: %w", err)
	}
	out.Gaps, out.GapSum, out.GapSumSq = gaps.n, gaps.sum, gaps.sumSq
	out.ArrivalSCV = result.SCV(gaps.n, gaps.sum, gaps.sumSq)
	if length > 0 {
		out.OfferedRPS = offered / length
		out.InFlightMean = inFlight / length
		out.AchievedRPS = float64(out.Sent) / length
		out.ThroughputRPS = float64(count(out.Status, "2xx")) / length
	}
	if st.present {
		out.ServerTiming = &result.ServerTiming{ServiceSum: st.sum, ServiceSumSq: st.sumSq}
	}
	if err := mergeServerTiming("part", ps, out.ServerTiming, &out.HDR); err != nil {
		return result.Stage{}, fmt.Errorf("concatenate stages: %w", err)
	}
	if err := mergeAttempts("part", ps, &out); err != nil {
		return result.Stage{}, fmt.Errorf("concatenate stages: %w", err)
	}
	return out, nil
}
