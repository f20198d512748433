package targets

import (
	"cmp"
	"slices"
	"testing"
	"time"
)

// req is one request of a test run as its client saw it: intended send,
// actual send and end times (offsets from the run's start), status, and
// the target's own Server-Timing queue wait and service time (svc).
type req struct {
	at, sent, end, queue, svc time.Duration
	stage, status             int
}

// The two checks below bound an overloaded target's behaviour exactly,
// from conservation of work and the run's own measurements (svc is
// measured inside the target), so they hold however busy the machine is.
// The one allowance is Server-Timing's resolution: each svc is rounded to
// the microsecond, so it may read up to 0.5 µs long (res).

// res is the most a Server-Timing duration can read long: half its 1 µs
// resolution.
const res = 500 * time.Nanosecond

// checkUnboundedGrowth: a target that admits everything must show latency
// growing with the backlog. The requests intended in [0, k·step) bring W_k
// seconds of work (Σ of their svc); c workers cannot finish it before W_k/c
// after the first send (no work arrives earlier), so the last of them ends
// then or later, and its latency from its intended time is at least
// W_k/c − k·step + first send (less n·res/c for rounding). At ρ > 1 that
// grows like (ρ − 1)·k·step.
func checkUnboundedGrowth(t *testing.T, reqs []req, c int, step time.Duration, steps int) {
	t.Helper()
	reqs = slices.SortedFunc(slices.Values(reqs), func(x, y req) int { return cmp.Compare(x.at, y.at) })
	first := slices.MinFunc(reqs, func(x, y req) int { return cmp.Compare(x.sent, y.sent) }).sent
	var work float64
	var longest time.Duration
	i := 0
	for k := 1; k <= steps; k++ {
		until := time.Duration(k) * step
		for ; i < len(reqs) && reqs[i].at < until; i++ {
			if reqs[i].status != 200 {
				t.Fatalf("unbounded: request intended at %v answered %d", reqs[i].at, reqs[i].status)
			}
			work += reqs[i].svc.Seconds()
			longest = max(longest, reqs[i].end-reqs[i].at)
		}
		bound := (work-float64(i)*res.Seconds())/float64(c) - until.Seconds() + first.Seconds()
		t.Logf("unbounded: intended before %v: %d requests, %.2f s of work; longest latency %.3f s ≥ bound %.3f s", until, i, work, longest.Seconds(), bound)
		if longest.Seconds() < bound {
			t.Errorf("unbounded: the longest latency of the requests intended before %v is %.3f s, below the work-conservation bound %.3f s", until, longest.Seconds(), bound)
		}
	}
}

// checkRejectBounds: a target with c workers and q ≤ c queue slots bounds
// the wait of what it admits and sheds what it cannot serve.
//
//   - A request admitted behind j < q others waits for j + 1 ≤ c
//     completions, and the c requests in service when it arrived all
//     complete within S_max (the longest svc of the run), so its queue
//     wait is ≤ S_max (+ 2·res: both are rounded).
//   - When the last request arrives the target holds at most K = c + q and
//     has completed at most the m shortest services that fit in c·span,
//     span being from the first send to the last response (each svc taken
//     res shorter, so that m is not underestimated). So at least
//     A − K − m of the A requests were answered 503: about 1 − 1/ρ of them
//     in overload.
//
// It returns the number of 503s.
func checkRejectBounds(t *testing.T, reqs []req, c, q int) int {
	t.Helper()
	if q > c {
		t.Fatalf("checkRejectBounds needs q ≤ c, got q = %d, c = %d", q, c)
	}
	var svcs []float64
	var sMax, lastEnd time.Duration
	first, rejected := reqs[0].sent, 0
	for _, r := range reqs {
		first = min(first, r.sent)
		lastEnd = max(lastEnd, r.end)
		switch r.status {
		case 200:
			svcs = append(svcs, r.svc.Seconds())
			sMax = max(sMax, r.svc)
		case 503:
			rejected++
		default:
			t.Fatalf("reject: request intended at %v answered %d", r.at, r.status)
		}
	}
	for _, r := range reqs {
		if r.status == 200 && r.queue > sMax+2*res {
			t.Errorf("reject: request intended at %v waited %v in the queue, longer than the longest service %v", r.at, r.queue, sMax)
		}
	}
	slices.Sort(svcs)
	capacity, m := float64(c)*(lastEnd-first).Seconds(), 0
	for sum := 0.0; m < len(svcs) && sum+svcs[m]-res.Seconds() <= capacity; m++ {
		sum += svcs[m] - res.Seconds()
	}
	floor := len(reqs) - (c + q) - m
	t.Logf("reject: %d requests, %d answered 503 (ratio %.3f), at least %d by conservation; longest service %v",
		len(reqs), rejected, float64(rejected)/float64(len(reqs)), floor, sMax)
	if rejected < floor {
		t.Errorf("reject: %d 503s, but conservation of work needs at least %d", rejected, floor)
	}
	return rejected
}
