// Package mergetest builds synthetic bploadgen results for tests of merge
// and compare: a seeded stream of raw requests (intended send time, send
// lag, service time, outcome) is split into shards the way `run --shard I/N`
// splits a plan, and each shard is aggregated into a result with the same
// histograms, counters and timeline a real run records. Tests then compare
// what merge and compare compute with what the raw requests say.
package mergetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Spec describes a synthetic run.
type Spec struct {
	Start   time.Time
	URL     string
	Profile string             // plan profile name ("step", "constant", ...)
	Stages  []result.PlanStage // constant-rate stages (Rate; To is set to Rate)
	Arrival string             // "uniform" or "poisson"
	Seed    uint64

	Service  time.Duration // mean of the exponential service time
	Slowdown float64       // every service time is multiplied by 1+Slowdown
	Reject   float64       // probability of a 503 answer
	Timeout  float64       // probability of a timeout error
	NotSent  float64       // probability that a request is not sent

	// Shards splits the stream into that many shard results (0: one whole
	// result). Shard I starts (I-1)·Skew after Start.
	Shards int
	Skew   time.Duration

	// Mix, if set, gives each request a name drawn by weight, and its
	// service time that entry's factor: the results break their stages
	// down by request (by_request).
	Mix []MixEntry

	// Retry, if set, makes the clients retry (retry.go).
	Retry *RetrySpec
}

// MixEntry is one request of a synthetic mix.
type MixEntry struct {
	Name   string
	Weight float64
	Slow   float64 // service time factor (0 means 1)
}

// Request is one raw sample of the synthetic run.
type Request struct {
	IntendedS float64 // intended send time, seconds after the run's start
	LagNS     int64   // actual minus intended send time
	ServiceNS int64   // actual send to completion
	Status    int     // HTTP status, 0 for a transport error or not sent
	Err       string  // error class, "" for a response
	NotSent   bool
	Name      string // the request's name in a mix, "" without

	// Under retries (Spec.Retry) Status, Err and ServiceNS are the final
	// attempt's, WaitNS is from the first attempt's actual send to the
	// final one's, and Attempts lists every attempt, the first included.
	WaitNS   int64
	Attempts []Attempt
}

// LatencyNS is the response time from the intended send time (of the
// first attempt, under retries).
func (q Request) LatencyNS() int64 { return q.LagNS + q.WaitNS + q.ServiceNS }

// Requests returns the planned arrival stream of s with seeded outcomes.
func Requests(s Spec) []Request {
	rng := rand.New(rand.NewPCG(s.Seed, 0x6d65726765))
	svcMean := float64(s.Service) * (1 + s.Slowdown)
	var out []Request
	for _, st := range s.Stages {
		end := st.StartS + st.DurationS - 1e-9
		t := st.StartS
		for j := 0; ; j++ {
			if s.Arrival == "poisson" {
				t += rng.ExpFloat64() / st.Rate
			} else {
				t = st.StartS + float64(j)/st.Rate
			}
			if t >= end {
				break
			}
			name, mean := pick(rng, s.Mix, svcMean)
			q := outcome(rng, s, t, mean)
			if s.Retry != nil {
				retries(rng, s, &q, mean)
			}
			q.Name = name
			out = append(out, q)
		}
	}
	return out
}

// outcome draws one request's fate.
func outcome(rng *rand.Rand, s Spec, t, svcMean float64) Request {
	q := Request{IntendedS: t, LagNS: 20_000 + int64(rng.ExpFloat64()*30_000)}
	u := rng.Float64()
	switch {
	case u < s.NotSent:
		q.NotSent, q.LagNS = true, 0
	case u < s.NotSent+s.Timeout:
		q.Err, q.ServiceNS = result.ErrTimeout, int64(svcMean*20)
	case u < s.NotSent+s.Timeout+s.rejectAt(t):
		q.Status, q.ServiceNS = 503, 50_000+int64(rng.ExpFloat64()*50_000)
	default:
		q.Status, q.ServiceNS = 200, 100_000+int64(rng.ExpFloat64()*svcMean)
	}
	return q
}

// Build splits reqs into s.Shards shard results (or one whole result) and
// aggregates each. Request j goes to shard j mod N + 1 for uniform arrivals
// (every N-th arrival, offset by I) and to a seeded random shard for
// Poisson arrivals (an independent thinning).
func Build(s Spec, reqs []Request) ([]*result.Result, error) {
	n := max(s.Shards, 1)
	parts := make([][]Request, n)
	rng := rand.New(rand.NewPCG(s.Seed, 0x7368617264))
	for j, q := range reqs {
		k := j % n
		if s.Arrival == "poisson" {
			k = rng.IntN(n)
		}
		parts[k] = append(parts[k], q)
	}
	out := make([]*result.Result, n)
	for k := range parts {
		r, err := aggregate(s, k, n, parts[k])
		if err != nil {
			return nil, fmt.Errorf("shard %d/%d: %w", k+1, n, err)
		}
		out[k] = r
	}
	return out, nil
}

// MustBuild is Requests then Build, panicking on error (tests only).
func MustBuild(s Spec) ([]*result.Result, []Request) {
	reqs := Requests(s)
	rs, err := Build(s, reqs)
	if err != nil {
		panic(err)
	}
	return rs, reqs
}

// Plan returns the result plan of s.
func Plan(s Spec) result.Plan {
	p := result.Plan{Profile: s.Profile, Stages: make([]result.PlanStage, len(s.Stages))}
	for i, st := range s.Stages {
		st.To = st.Rate
		p.Stages[i] = st
	}
	return p
}

// DurationS is the planned length of s.
func DurationS(s Spec) float64 {
	last := s.Stages[len(s.Stages)-1]
	return last.StartS + last.DurationS
}

// StageOf returns the index of the stage of s in which t falls.
func StageOf(s Spec, t float64) int {
	for i, st := range s.Stages {
		if t < st.StartS+st.DurationS {
			return i
		}
	}
	return len(s.Stages) - 1
}

// secondsNS converts nanoseconds to seconds.
func secondsNS(ns int64) float64 { return float64(ns) / 1e9 }

// offered is the planned arrival count of s between a and b seconds.
func offered(s Spec, a, b float64) float64 {
	var n float64
	for _, st := range s.Stages {
		lo, hi := max(a, st.StartS), min(b, st.StartS+st.DurationS)
		if hi > lo {
			n += (hi - lo) * st.Rate
		}
	}
	return n
}

// ceilDiv returns ⌈x⌉ as an int64 (for in-flight maxima).
func ceilDiv(x float64) int64 { return int64(math.Ceil(x)) }

// Histogram returns one histogram of value(q) over the requests for which
// value reports true: the reference a merge must reproduce exactly.
func Histogram(reqs []Request, value func(Request) (int64, bool)) *hdr.Histogram {
	h := result.NewHistogram()
	for _, q := range reqs {
		if v, ok := value(q); ok {
			if err := h.RecordValue(result.ClampNS(v)); err != nil {
				panic(err) // ClampNS keeps every value in range
			}
		}
	}
	return h
}

// Latency selects the response time of requests that got a response.
func Latency(q Request) (int64, bool) { return q.LatencyNS(), q.Status != 0 }

// Latency2xx selects the response time of 2xx responses.
func Latency2xx(q Request) (int64, bool) { return q.LatencyNS(), q.Status/100 == 2 }

// ServiceTime selects the service time of requests that got a response.
func ServiceTime(q Request) (int64, bool) { return q.ServiceNS, q.Status != 0 }

// SendLag selects the send lag of sent requests.
func SendLag(q Request) (int64, bool) { return q.LagNS, !q.NotSent }

// Between keeps the requests whose intended send time is in [a, b).
func Between(reqs []Request, a, b float64) []Request {
	var out []Request
	for _, q := range reqs {
		if q.IntendedS >= a && q.IntendedS < b {
			out = append(out, q)
		}
	}
	return out
}
