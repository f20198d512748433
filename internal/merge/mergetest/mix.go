package mergetest

import (
	"math/rand/v2"

	"github.com/bploadgen/bploadgen/internal/result"
)

// pick draws a request of the mix by weight, and its mean service time;
// without a mix it draws nothing (the stream of a Spec without Mix is
// unchanged).
func pick(rng *rand.Rand, mix []MixEntry, svcMean float64) (string, float64) {
	if len(mix) == 0 {
		return "", svcMean
	}
	var total float64
	for _, m := range mix {
		total += m.Weight
	}
	u := rng.Float64() * total
	m := mix[len(mix)-1]
	for _, e := range mix {
		if u < e.Weight {
			m = e
			break
		}
		u -= e.Weight
	}
	if m.Slow > 0 {
		svcMean *= m.Slow
	}
	return m.Name, svcMean
}

// byRequest aggregates each request name's share of a stage the way the
// stage itself is aggregated, into st.ByRequest (nil when no request has a
// name).
func byRequest(st *result.Stage, reqs []Request) error {
	groups := map[string][]Request{}
	for _, q := range reqs {
		if q.Name != "" {
			groups[q.Name] = append(groups[q.Name], q)
		}
	}
	if len(groups) == 0 {
		return nil
	}
	st.ByRequest = make(map[string]*result.RequestStats, len(groups))
	for name, qs := range groups {
		for i := range qs {
			qs[i].Name = "" // one level: the group's own stage has no breakdown
		}
		sub, err := stage(st.Index, st.Name, st.StartS, st.EndS, 0, qs)
		if err != nil {
			return err
		}
		st.ByRequest[name] = &result.RequestStats{
			Scheduled: sub.Scheduled, Sent: sub.Sent, NotSent: sub.NotSent, Completed: sub.Completed,
			AchievedRPS: sub.AchievedRPS, ThroughputRPS: sub.ThroughputRPS,
			Status: sub.Status, Errors: sub.Errors,
			Latency: sub.Latency, Latency2xx: sub.Latency2xx, ServiceTime: sub.ServiceTime,
			HDR: result.RequestHDR{Latency: sub.HDR.Latency, Latency2xx: sub.HDR.Latency2xx, ServiceTime: sub.HDR.ServiceTime},
		}
	}
	return nil
}
