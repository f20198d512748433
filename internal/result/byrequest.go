package result

import "sort"

// RequestStats is one request name's share of a stage (Stage.ByRequest).
// Its fields mean what the stage's own fields of the same names mean, over
// the stage's requests of that name: the same invariants hold, rates are
// over the stage's length, and the summaries come from its own
// histograms.
type RequestStats struct {
	Scheduled int64 `json:"scheduled"`
	Sent      int64 `json:"sent"`
	NotSent   int64 `json:"not_sent"`
	Completed int64 `json:"completed"`

	AchievedRPS   float64 `json:"achieved_rps"`
	ThroughputRPS float64 `json:"throughput_rps"`

	Status map[string]int64 `json:"status"`
	Errors map[string]int64 `json:"errors"`

	Latency     Summary `json:"latency_s"`
	Latency2xx  Summary `json:"latency_2xx_s"`
	ServiceTime Summary `json:"service_time_s"`

	HDR RequestHDR `json:"hdr"`
}

// RequestHDR holds a request's histograms (see StageHDR).
type RequestHDR struct {
	Latency     string `json:"latency"`
	Latency2xx  string `json:"latency_2xx"`
	ServiceTime string `json:"service_time"`
}

// RequestNames lists the names of s.ByRequest, most scheduled first (ties
// by name), "other" last: the order the reports show them in.
func (s *Stage) RequestNames() []string {
	names := make([]string, 0, len(s.ByRequest))
	for n := range s.ByRequest {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		if (a == OtherRequests) != (b == OtherRequests) {
			return b == OtherRequests
		}
		if x, y := s.ByRequest[a].Scheduled, s.ByRequest[b].Scheduled; x != y {
			return x > y
		}
		return a < b
	})
	return names
}

// OtherRequests is the by_request name of the requests past the first 100
// names.
const OtherRequests = "other"

// AsStage returns the request's record as a Stage with the given stage's
// index, name and bounds, so that code reading stages (gates, reports)
// reads a request the same way. Fields a request does not have (in-flight,
// send lag, gaps, server timing) are zero.
func (q *RequestStats) AsStage(of *Stage) Stage {
	return Stage{
		Index: of.Index, Name: of.Name, StartS: of.StartS, EndS: of.EndS,
		Scheduled: q.Scheduled, Sent: q.Sent, NotSent: q.NotSent, Completed: q.Completed,
		AchievedRPS: q.AchievedRPS, ThroughputRPS: q.ThroughputRPS,
		Status: q.Status, Errors: q.Errors,
		Latency: q.Latency, Latency2xx: q.Latency2xx, ServiceTime: q.ServiceTime,
		HDR: StageHDR{Latency: q.HDR.Latency, Latency2xx: q.HDR.Latency2xx, ServiceTime: q.HDR.ServiceTime},
	}
}

// AsRequest is the inverse of AsStage: the request record of a stage
// computed for one request's arrivals (the engine aggregates a request's
// share with its stage code, then keeps this).
func (s *Stage) AsRequest() *RequestStats {
	return &RequestStats{
		Scheduled: s.Scheduled, Sent: s.Sent, NotSent: s.NotSent, Completed: s.Completed,
		AchievedRPS: s.AchievedRPS, ThroughputRPS: s.ThroughputRPS,
		Status: s.Status, Errors: s.Errors,
		Latency: s.Latency, Latency2xx: s.Latency2xx, ServiceTime: s.ServiceTime,
		HDR: RequestHDR{Latency: s.HDR.Latency, Latency2xx: s.HDR.Latency2xx, ServiceTime: s.HDR.ServiceTime},
	}
}

// Conserved reports the stage invariants for the request's counts.
func (q *RequestStats) Conserved() bool {
	st := q.AsStage(&Stage{})
	return st.Conserved()
}

// HasByRequest reports whether the result breaks its traffic down by
// request.
func (r *Result) HasByRequest() bool { return len(r.Total.ByRequest) > 0 }
