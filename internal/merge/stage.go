package merge

import (
	"fmt"

	"github.com/bploadgen/bploadgen/internal/result"
)

// part is one input's record of a stage (or of the whole run): the input's
// position and the stage.
type part struct {
	input int
	st    *result.Stage
}

// mergeStage merges the records of one stage. field names the stage in
// errors ("stages[2]", "total").
func mergeStage(field string, parts []part) (result.Stage, error) {
	first := parts[0].st
	out := result.Stage{
		Index:  first.Index,
		Name:   first.Name,
		StartS: first.StartS,
		EndS:   first.EndS,
		Status: map[string]int64{},
		Errors: zeroErrors(),
	}
	var gaps gapSums
	var st stServer
	// A level counts one process's own requests in flight, and the target
	// held every shard's: the parts' levels say nothing of the target's
	// count (a limit of 24 refusing two shards' requests at their levels
	// of 12 would look like no limit at all), so a merge of several keeps
	// none. One part (a self-merge of one input) keeps its own.
	levels := len(parts) == 1
	for _, p := range parts {
		s := p.st
		out.StartS = min(out.StartS, s.StartS)
		out.EndS = max(out.EndS, s.EndS)
		out.OfferedRPS += s.OfferedRPS
		out.Scheduled += s.Scheduled
		out.Sent += s.Sent
		out.NotSent += s.NotSent
		out.Completed += s.Completed
		addCounts(out.Status, s.Status)
		addCounts(out.Errors, s.Errors)
		out.InFlightAtSend = result.AddLevels(out.InFlightAtSend, s.InFlightAtSend)
		out.InFlightMean += s.InFlightMean
		out.InFlightMax += s.InFlightMax
		out.BusyS += s.BusyS
		gaps.add(s)
		st.add(s.ServerTiming)
	}
	if err := mergeStageHists(field, parts, &out); err != nil {
		return result.Stage{}, err
	}
	if err := mergeByRequest(field, parts, &out); err != nil {
		return result.Stage{}, err
	}
	if !levels {
		out.InFlightAtSend = nil
	}
	out.Gaps, out.GapSum, out.GapSumSq = gaps.n, gaps.sum, gaps.sumSq
	out.ArrivalSCV = result.SCV(gaps.n, gaps.sum, gaps.sumSq)
	if length := out.LengthS(); length > 0 {
		out.AchievedRPS = float64(out.Sent) / length
		out.ThroughputRPS = float64(count(out.Status, "2xx")) / length
	} else {
		for _, p := range parts {
			out.AchievedRPS += p.st.AchievedRPS
			out.ThroughputRPS += p.st.ThroughputRPS
		}
	}
	if st.present {
		out.ServerTiming = &result.ServerTiming{ServiceSum: st.sum, ServiceSumSq: st.sumSq}
	}
	if err := mergeServerTiming(field, parts, out.ServerTiming, &out.HDR); err != nil {
		return result.Stage{}, err
	}
	if err := mergeAttempts(field, parts, &out); err != nil {
		return result.Stage{}, err
	}
	return out, nil
}

// stageHist is one of a stage's histograms: where it sits in the result,
// how to reach its encoding and its summary.
type stageHist struct {
	name    string
	enc     func(*result.StageHDR) *string
	summary func(*result.Stage) *result.Summary
}

var stageHists = [...]stageHist{
	{"latency", func(h *result.StageHDR) *string { return &h.Latency }, func(s *result.Stage) *result.Summary { return &s.Latency }},
	{"latency_2xx", func(h *result.StageHDR) *string { return &h.Latency2xx }, func(s *result.Stage) *result.Summary { return &s.Latency2xx }},
	{"service_time", func(h *result.StageHDR) *string { return &h.ServiceTime }, func(s *result.Stage) *result.Summary { return &s.ServiceTime }},
	{"send_lag", func(h *result.StageHDR) *string { return &h.SendLag }, func(s *result.Stage) *result.Summary { return &s.SendLag }},
}

func mergeStageHists(field string, parts []part, out *result.Stage) error {
	for _, sh := range stageHists {
		sum := newHistSum()
		for _, p := range parts {
			want := sh.summary(p.st).Count
			if err := sum.add(p.input, fmt.Sprintf("%s.hdr.%s", field, sh.name), *sh.enc(&p.st.HDR), want); err != nil {
				return err
			}
		}
		enc, err := sum.encode()
		if err != nil {
			return fmt.Errorf("%s.hdr.%s: %w", field, sh.name, err)
		}
		*sh.enc(&out.HDR) = enc
		*sh.summary(out) = sum.summary()
	}
	return nil
}

// mergeServerTiming adds the server's queue and service histograms into
// st (nil when no input had server timing).
func mergeServerTiming(field string, parts []part, st *result.ServerTiming, h *result.StageHDR) error {
	if st == nil {
		return nil
	}
	queue, service := newHistSum(), newHistSum()
	for _, p := range parts {
		in := p.st.ServerTiming
		if in == nil {
			continue
		}
		if err := queue.add(p.input, field+".hdr.server_queue", p.st.HDR.ServerQueue, in.Queue.Count); err != nil {
			return err
		}
		if err := service.add(p.input, field+".hdr.server_service", p.st.HDR.ServerService, in.Service.Count); err != nil {
			return err
		}
	}
	var err error
	if h.ServerQueue, err = queue.encode(); err != nil {
		return fmt.Errorf("%s.hdr.server_queue: %w", field, err)
	}
	if h.ServerService, err = service.encode(); err != nil {
		return fmt.Errorf("%s.hdr.server_service: %w", field, err)
	}
	st.Queue, st.Service = queue.summary(), service.summary()
	st.ServiceSCV = result.SCV(st.Service.Count, st.ServiceSum, st.ServiceSumSq)
	return nil
}

// stServer accumulates the exact sums of server timing.
type stServer struct {
	present    bool
	sum, sumSq float64
}

func (s *stServer) add(st *result.ServerTiming) {
	if st == nil {
		return
	}
	s.present = true
	s.sum += st.ServiceSum
	s.sumSq += st.ServiceSumSq
}

// gapSums pools the inputs' inter-send gap sums (see the package doc: the
// union's own gaps were never observed).
type gapSums struct {
	n          int64
	sum, sumSq float64
}

func (g *gapSums) add(s *result.Stage) {
	g.n += s.Gaps
	g.sum += s.GapSum
	g.sumSq += s.GapSumSq
}

// addCounts adds src's counts into dst.
func addCounts(dst, src map[string]int64) {
	for k, v := range src {
		dst[k] += v
	}
}

// zeroErrors returns an error map with every class present.
func zeroErrors() map[string]int64 {
	m := make(map[string]int64, len(result.ErrorClasses))
	for _, c := range result.ErrorClasses {
		m[c] = 0
	}
	return m
}

// count is result.Count for a status class, 0 for an unknown one.
func count(status map[string]int64, class string) int64 {
	n, _ := result.Count(status, nil, 0, class)
	return n
}
