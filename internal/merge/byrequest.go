package merge

import (
	"fmt"
	"sort"
	"strconv"

	"github.com/bploadgen/bploadgen/internal/result"
)

// requestHists are a request's histograms, as stageHists are a stage's.
var requestHists = [...]struct {
	name    string
	enc     func(*result.RequestHDR) *string
	summary func(*result.RequestStats) *result.Summary
}{
	{"latency", func(h *result.RequestHDR) *string { return &h.Latency }, func(q *result.RequestStats) *result.Summary { return &q.Latency }},
	{"latency_2xx", func(h *result.RequestHDR) *string { return &h.Latency2xx }, func(q *result.RequestStats) *result.Summary { return &q.Latency2xx }},
	{"service_time", func(h *result.RequestHDR) *string { return &h.ServiceTime }, func(q *result.RequestStats) *result.Summary { return &q.ServiceTime }},
}

// mergeByRequest merges the stage's by_request records: counts add up
// exactly, histograms are added, the summaries are read from the sums and
// the rates recomputed over the merged stage's length. Every input must
// break its traffic down, or none: a merge of some would be partial.
func mergeByRequest(field string, parts []part, out *result.Stage) error {
	for _, p := range parts {
		if (p.st.ByRequest != nil) != (parts[0].st.ByRequest != nil) {
			return &InputError{Index: p.input, Other: parts[0].input, Field: field + ".by_request",
				Got: present(p.st.ByRequest != nil), Want: present(parts[0].st.ByRequest != nil),
				Reason: "results with and without a breakdown by request cannot be merged"}
		}
	}
	if parts[0].st.ByRequest == nil {
		return nil
	}
	names := map[string]bool{}
	for _, p := range parts {
		for n := range p.st.ByRequest {
			names[n] = true
		}
	}
	sorted := make([]string, 0, len(names))
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	out.ByRequest = make(map[string]*result.RequestStats, len(sorted))
	length := out.LengthS()
	for _, name := range sorted {
		q := &result.RequestStats{Status: map[string]int64{}, Errors: zeroErrors()}
		at := fmt.Sprintf("%s.by_request[%s]", field, strconv.Quote(name))
		for _, p := range parts {
			in := p.st.ByRequest[name]
			if in == nil {
				continue
			}
			q.Scheduled += in.Scheduled
			q.Sent += in.Sent
			q.NotSent += in.NotSent
			q.Completed += in.Completed
			addCounts(q.Status, in.Status)
			addCounts(q.Errors, in.Errors)
			if length <= 0 {
				q.AchievedRPS += in.AchievedRPS
				q.ThroughputRPS += in.ThroughputRPS
			}
		}
		for _, rh := range requestHists {
			sum := newHistSum()
			for _, p := range parts {
				if in := p.st.ByRequest[name]; in != nil {
					if err := sum.add(p.input, at+".hdr."+rh.name, *rh.enc(&in.HDR), rh.summary(in).Count); err != nil {
						return err
					}
				}
			}
			enc, err := sum.encode()
			if err != nil {
				return fmt.Errorf("%s.hdr.%s: %w", at, rh.name, err)
			}
			*rh.enc(&q.HDR) = enc
			*rh.summary(q) = sum.summary()
		}
		if length > 0 {
			q.AchievedRPS = float64(q.Sent) / length
			q.ThroughputRPS = float64(count(q.Status, "2xx")) / length
		}
		out.ByRequest[name] = q
	}
	return nil
}

func present(b bool) string {
	if b {
		return "present"
	}
	return "absent"
}
