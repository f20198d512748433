package analysis

import (
	"fmt"
	"math"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// A response's level is how many of the client's other requests were in
// flight when it was sent (result.Stage.InFlightAtSend). The client holds
// every request the target holds (and those on the wire), so a target
// that refuses what exceeds a limit of K requests in flight refuses only
// requests sent at level K or above; a rate limit refuses at whatever
// level its bucket runs dry. Against the built-in target with 4 workers
// and no queue, 2 of 2,651 requests sent below level 3 were refused, and
// 3,898 of 4,099 at level 4; behind its token bucket, 9 of 246 sent with
// nothing else in flight were.

// levelEps is the share of requests refused below a limit's level anyway:
// the target's other clients, and a request recorded as sent after one
// that reached the target first (concurrent senders).
const levelEps = 0.01

// maxLevelCount bounds a count read from a file, so that sums of them
// cannot wrap around (2^40: far beyond any run's responses).
const maxLevelCount = 1 << 40

// levelCounts are the shedding stages' responses by level: shed ones,
// and the rest (every other status).
type levelCounts struct {
	shed, kept []int64
}

// levels pools the levels of the stages that shed (ok false when none of
// them recorded levels: results made before they were). A file's levels
// past result.MaxLevel and its negative counts are left out, its counts
// bounded by maxLevelCount (no recorder writes such). A shard's (run
// --shard i/n, n > 1) are not weighed: the target held the other shards'
// requests too.
func (an *analyzer) levels() (lc levelCounts, ok bool) {
	if sh := an.r.Shard; sh != nil && sh.Count > 1 {
		return lc, false // the target held the other shards' requests too, which these leave out
	}
	for _, d := range an.data {
		if d.n503 == 0 || d.st.InFlightAtSend == nil {
			continue
		}
		ok = true
		for code, l := range d.st.InFlightAtSend {
			l = l[:min(len(l), result.MaxLevel+1)]
			dst := &lc.kept
			if an.shed.isShed(code) {
				dst = &lc.shed
			}
			if len(l) > len(*dst) {
				*dst = append(*dst, make([]int64, len(l)-len(*dst))...)
			}
			for i, n := range l {
				(*dst)[i] += min(max(n, 0), maxLevelCount)
			}
		}
	}
	return lc, ok
}

// below is how many shed and kept responses were sent below level f.
func (lc *levelCounts) below(f int) (shed, kept int64) {
	for i := 0; i < f; i++ {
		if i < len(lc.shed) {
			shed += lc.shed[i]
		}
		if i < len(lc.kept) {
			kept += lc.kept[i]
		}
	}
	return shed, kept
}

// floorLL is the log-likelihood ratio (≤ 0) of the requests sent below
// level floor under a limit that refuses none of them but by levelEps
// below floor − 1 and by levelSlack at floor − 1 (a refused request's
// level can read one low, see levelEps: 3% of them at a limit of 4 less
// one, 4.1% at 24 less one), against the shares refused there as
// measured: 0 when within them, ever more negative as refusals there pile
// up. At least −50 (as the other categorical terms).
func (lc *levelCounts) floorLL(floor int) float64 {
	ll := 0.0
	for _, part := range []struct {
		lo, hi int
		p      float64
	}{{0, floor - 1, levelEps}, {floor - 1, floor, levelSlack}} {
		if part.hi <= part.lo || part.hi <= 0 {
			continue
		}
		s1, k1 := lc.below(part.hi)
		s0, k0 := lc.below(max(part.lo, 0))
		shed, kept := s1-s0, k1-k0
		if shed == 0 {
			continue
		}
		if p := float64(shed) / float64(shed+kept); p > part.p {
			ll += binomialLL(shed, kept, part.p) - binomialLL(shed, kept, p)
		}
	}
	return math.Max(-50, ll)
}

// levelSlack is the share of the requests sent one level below a limit
// that it may refuse: those recorded as sent after another that reached
// the target first. A quarter is generous (3% and 4.1% were seen); half
// or more refused there says the limit is that level, not one above.
const levelSlack = 0.25

// size is one past the highest level counted.
func (lc *levelCounts) size() int { return max(len(lc.shed), len(lc.kept)) }

// floor is the observed floor: the most levels from 0 up whose requests
// were refused at most levelEps together.
func (lc *levelCounts) floor() int {
	f, n := 0, lc.size()
	for f < n {
		shed, kept := lc.below(f + 1)
		if float64(shed) > levelEps*float64(shed+kept) {
			break
		}
		f++
	}
	return f
}

// rampLL is the log-likelihood ratio (≤ 0, at least −50) of the requests
// sent below the observed floor under a rate limit that delays d requests
// to its pace, against the share refused there as measured. Such a limit
// refuses once d wait, whatever is in service behind it, so the client's
// level at a refusal is d plus the requests in service and on the wire:
// about Poisson with mean m (admitted at the rate R, each held E[S] plus
// the overhead: Little's law). It refuses some requests at every level
// from d up, a share P(N ≤ level − d): nginx limit_req (burst 30, 300 r/s,
// 5 ms service, m = 1.5) refused 24%, 52%, 72% at levels 30, 31, 32 (22%,
// 56%, 81% predicted). Levels from d to two below the observed floor are
// weighed (one of slack: d is fitted and can be one low): a bounded queue
// of 4 workers and 9 slots behind nginx refused none of 5,457 requests
// below level 13, where a limit delaying 8 at 368/s would have refused
// 2.5% at level 8 and 49% at 11.
func (lc *levelCounts) rampLL(d int, m float64) float64 {
	if d < 0 || !(m > 0) {
		return 0
	}
	var n, shed, expected float64
	for l := d; l < lc.floor()-1; l++ {
		s, k := lc.below(l + 1)
		s0, k0 := lc.below(l)
		all := float64(s - s0 + k - k0)
		n += all
		shed += float64(s - s0)
		expected += all * poissonCDF(l-d, m)
	}
	if n == 0 {
		return 0
	}
	pred, obs := expected/n, shed/n
	if pred <= math.Max(obs, levelEps) {
		return 0
	}
	obs = math.Max(obs, 1e-12)
	return math.Max(-50, binomialLL(int64(shed), int64(n-shed), pred)-binomialLL(int64(shed), int64(n-shed), obs))
}

// stepLL is the log-likelihood ratio (≤ 0, at least −50) of the requests
// sent at level k under a limit of k requests in flight, against the
// share refused there as measured. At its own level the target holds what
// the client holds unless answers are on the wire (t of them on average:
// the throughput times the overhead, Little), so it refuses all but a
// share P(none on the wire) = e^−t of them: nginx in front of php-fpm
// (K = 13, t = 0.1) refused 98.8% at 13, where a limit of 12 would have
// refused 90% at 12 and refused none of them. One-sided: refusing more
// than predicted is no evidence against the limit. 0 without t (no
// overhead measured: the wire's share unknown).
func (lc *levelCounts) stepLL(k int, t float64) float64 {
	if k < 0 || !(t > 0) {
		return 0
	}
	s1, k1 := lc.below(k + 1)
	s0, k0 := lc.below(k)
	shed, kept := s1-s0, k1-k0
	if shed+kept == 0 {
		return 0
	}
	pred, obs := math.Exp(-t), float64(shed)/float64(shed+kept)
	if obs >= pred || pred <= levelEps { // nearly all on the wire: nothing expected
		return 0
	}
	return math.Max(-50, binomialLL(shed, kept, pred)-binomialLL(shed, kept, math.Max(obs, 1e-12)))
}

// poissonCDF is P(N ≤ k) for N Poisson with mean m.
func poissonCDF(k int, m float64) float64 {
	term, sum := math.Exp(-m), 0.0
	for j := 0; j <= k; j++ {
		if j > 0 {
			term *= m / float64(j)
		}
		sum += term
	}
	return math.Min(1, sum)
}

// weighLevels adds the levels' terms to each candidate's likelihood:
// floorLL for every one, stepLL for a fixed limit, rampLL for a rate
// limit that delays. Nothing without levels.
func (an *analyzer) weighLevels(cands []candidate) {
	lc, ok := an.levels()
	if !ok {
		return
	}
	t := an.onTheWire()
	for i := range cands {
		cd := &cands[i]
		cd.ll += lc.floorLL(floorOf(cd))
		switch {
		case cd.mech == mechConcurrency || cd.mech == mechBoundedQueue:
			cd.ll += lc.stepLL(cd.k, t)
		case cd.mech == mechRateLimit && cd.delay > 0:
			cd.ll += lc.rampLL(cd.delay, cd.rate*(an.svc.mean+an.ovh.lowOr0()))
		}
	}
}

// floorOf is the lowest level at which cd can refuse: its limit K for a
// limit on requests in flight, its c workers for a queue timeout (it
// refuses only while all are busy), the requests a delaying rate limit
// holds; 0 (any level) for a rate limit that delays none and for an
// adaptive limit, which can fall to 1.
func floorOf(cd *candidate) int {
	switch cd.mech {
	case mechConcurrency, mechBoundedQueue:
		return cd.k
	case mechQueueTimeout:
		return cd.c
	case mechRateLimit:
		return cd.delay
	}
	return 0
}

// describe is the evidence line: the share of the requests refused by
// their level, the lowest levels that were refused at most levelEps
// together, then level by level up to the shed answers' median and two
// more (eight at most), then the rest together.
func (lc *levelCounts) describe(label string) string {
	med := quantileLevel(lc.shed, 0.5)
	n := lc.size()
	if med < 0 || n == 0 {
		return ""
	}
	f := lc.floor()
	var parts []string
	add := func(name string, lo, hi int) {
		s1, k1 := lc.below(hi)
		s0, k0 := lc.below(lo)
		shed, all := s1-s0, s1-s0+k1-k0
		if all > 0 {
			parts = append(parts, fmt.Sprintf("%s: %s (%s of %s)", name, numfmt.Share(float64(shed)/float64(all)), numfmt.Int(shed), numfmt.Int(all)))
		}
	}
	if f > 0 {
		add(levelRange(0, f), 0, f)
	}
	top := min(n, med+3, f+8)
	for l := f; l < top; l++ {
		add(fmt.Sprint(l), l, l+1)
	}
	if top < n {
		add(fmt.Sprintf("%d or more", top), top, n)
	}
	return fmt.Sprintf("%s answers by the client's other requests in flight when each was sent (%s): a limit on requests in flight refuses none below its level, a rate limit at any",
		label, strings.Join(parts, ", "))
}

// levelRange names the levels [lo, hi): "0" or "0–3".
func levelRange(lo, hi int) string {
	if hi-lo == 1 {
		return fmt.Sprint(lo)
	}
	return fmt.Sprintf("%d–%d", lo, hi-1)
}

// quantileLevel is the q-quantile of the levels counted in l (−1: none).
func quantileLevel(l []int64, q float64) int {
	var n, c int64
	for _, v := range l {
		n += v
	}
	for level, v := range l {
		if c += v; n > 0 && float64(c) >= q*float64(n) {
			return level
		}
	}
	return -1
}

// onTheWire is the mean number of the client's requests on the wire (sent
// and not yet at the target, or answered and not yet read) in the stage
// that shed most: its responses per second times the lowest-load
// overhead (Little). 0 when the overhead was not measured (Server-Timing).
func (an *analyzer) onTheWire() float64 {
	if an.ovh == nil || !an.ovh.lowKnown || an.ovh.source != overheadServerTiming {
		return 0
	}
	var x float64
	for _, d := range an.data {
		if d.n503 > 0 && d.tau > 0 {
			x = math.Max(x, float64(d.responses)/d.tau)
		}
	}
	return x * an.ovh.low
}
