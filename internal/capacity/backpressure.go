package capacity

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/result"
)

// The backpressure checks, in the order that decides a failing verdict.
const (
	CheckRejects       = "rejects"         // the excess is answered 503/429, not 500s, timeouts or resets
	CheckLatency       = "latency-bounded" // the latency of what is accepted stays bounded
	CheckGoodput       = "goodput"         // 2xx throughput does not collapse below the capacity's
	CheckRejectCounter = "reject-counter"  // the target's own reject counter moves with the 503s (--scrape)
	CheckRetryAfter    = "retry-after"     // 503/429 carry Retry-After
)

var checkOrder = []string{CheckRejects, CheckLatency, CheckGoodput, CheckRejectCounter, CheckRetryAfter}

// The checks' limits.
const (
	// maxOtherShare: at most this share of the requests turned away may
	// end otherwise than 503/429 (a correct server answers every one of
	// them; the share leaves room for a stray connection reset).
	maxOtherShare = 0.01
	// zCheck is how many standard errors a difference must exceed to
	// count (about the 0.1% level one-sided: three checks per probe and a
	// few probes rarely raise a false alarm).
	zCheck = 3
)

// checksFor judges one overload probe against the capacity probe ref
// (nil when unknown); counters name the target's reject counters (none:
// look for them among the scraped metrics).
func checksFor(p *probe, ref *probe, counters []string) []result.BackpressureCheck {
	st := &p.stage
	refMean := 0.0
	if ref != nil {
		refMean = ref.stage.Latency2xx.Mean
	}
	out := []result.BackpressureCheck{rejectsCheck(st), latencyCheck(p.subs, refMean)}
	if ref != nil {
		out = append(out, goodputCheck(served(p), served(ref)))
	}
	if c, ok := counterCheck(st, p.timeline, counters); ok {
		out = append(out, c)
	}
	if c, ok := retryAfterCheck(p.samples); ok {
		out = append(out, c)
	}
	return out
}

func rejectsCheck(st *result.Stage) result.BackpressureCheck {
	c := result.BackpressureCheck{Name: CheckRejects, OK: true}
	turned := st.TurnedAway()
	good := st.Status["503"] + st.Status["429"]
	if turned <= 0 {
		c.Detail = "nothing was turned away: every request got a 2xx"
	} else {
		other := turned - good
		c.OK = float64(other) <= maxOtherShare*float64(turned)
		c.Detail = fmt.Sprintf("%s of %s turned away were answered 503/429 (%s)", numfmt.Int(good), numfmt.Int(turned), numfmt.Percent(float64(good)/float64(turned)))
		if other > 0 {
			c.Detail += "; the rest: " + otherOutcomes(st)
		}
	}
	if st.NotSent > 0 {
		c.Detail += fmt.Sprintf(" (%s not sent: the generator's --max-in-flight bound)", numfmt.Int(st.NotSent))
	}
	return c
}

// otherOutcomes lists the non-2xx, non-503/429 statuses and the errors.
func otherOutcomes(st *result.Stage) string {
	var parts []string
	codes := make([]string, 0, len(st.Status))
	for code := range st.Status {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if n := st.Status[code]; n > 0 && code != "503" && code != "429" && !strings.HasPrefix(code, "2") {
			parts = append(parts, numfmt.Int(n)+" × "+code)
		}
	}
	for _, class := range result.ErrorClasses {
		if n := st.Errors[class]; n > 0 {
			parts = append(parts, numfmt.Int(n)+" × "+class)
		}
	}
	return strings.Join(parts, ", ")
}

// latencyCheck compares the 2xx mean latency of the first and last thirds
// of the probe's batches. A bounded queue's latency is stationary past
// capacity; an unbounded one's grows with the backlog, linearly in time.
// It "grows without bound" when the rise is beyond zCheck standard errors
// and larger than the whole 2xx mean latency at the capacity, refMean (the
// first third's when that is unknown): within seconds it gained more than
// all a request took at the capacity.
func latencyCheck(subs []result.Stage, refMean float64) result.BackpressureCheck {
	c := result.BackpressureCheck{Name: CheckLatency, OK: true}
	var means []float64
	var counts []int64
	for i := range subs {
		if s := subs[i].Latency2xx; s.Count > 0 {
			means, counts = append(means, s.Mean), append(counts, s.Count)
		}
	}
	k := len(means) / 3
	if k < 2 {
		c.Detail = "too few batches with 2xx responses to see a trend"
		return c
	}
	first, seF := thirdMean(means[:k], counts[:k])
	last, seL := thirdMean(means[len(means)-k:], counts[len(counts)-k:])
	se := math.Hypot(seF, seL)
	rise := last - first
	if refMean <= 0 {
		refMean = first
	}
	if rise > zCheck*se && rise > refMean {
		c.OK = false
		c.Detail = fmt.Sprintf("the 2xx mean latency rose from %s to %s within the probe, by more than %d standard errors (%s) and than the %s it was at the capacity: the queue grows without bound",
			numfmt.Duration(first), numfmt.Duration(last), zCheck, numfmt.Duration(se), numfmt.Duration(refMean))
		return c
	}
	c.Detail = fmt.Sprintf("2xx mean latency %s in the first third, %s in the last: bounded", numfmt.Duration(first), numfmt.Duration(last))
	return c
}

// thirdMean is the count-weighted mean of batch means and the standard
// error of the unweighted mean of the batches (their spread over √k).
func thirdMean(means []float64, counts []int64) (mean, se float64) {
	var sum, n, plain float64
	for i, m := range means {
		sum += m * float64(counts[i])
		n += float64(counts[i])
		plain += m
	}
	plain /= float64(len(means))
	var ss float64
	for _, m := range means {
		ss += (m - plain) * (m - plain)
	}
	return sum / n, math.Sqrt(ss/float64(len(means)-1)) / math.Sqrt(float64(len(means)))
}

// servedRate is what a probe's target served: 2xx responses over the
// seconds it took to give them.
type servedRate struct {
	n2xx    float64
	seconds float64
}

// served is a probe's served rate. A stage's throughput_rps counts the
// 2xx of the requests intended in it over its length; a target that
// queues without bound answers them long after, so that would say the
// offered rate. Where the prober reported the whole segments' 2xx and
// elapsed times (warm-up included: its backlog is served first), those
// are used; otherwise (a fake prober) the measured stage.
func served(p *probe) servedRate {
	if p.elapsed > 0 {
		return servedRate{float64(p.served2xx), p.elapsed}
	}
	return servedRate{p.stage.ThroughputRPS * p.stage.LengthS(), p.stage.LengthS()}
}

// goodputCheck compares the rate an overload probe's target served 2xx
// at with the capacity probe's.
func goodputCheck(o, ref servedRate) result.BackpressureCheck {
	c := result.BackpressureCheck{Name: CheckGoodput, OK: true}
	if !(o.seconds > 0 && ref.seconds > 0) {
		c.Detail = "no time measured"
		return c
	}
	g, g0 := o.n2xx/o.seconds, ref.n2xx/ref.seconds
	if ref.n2xx == 0 {
		c.Detail = "the capacity probe served no 2xx: nothing to compare with"
		return c
	}
	// Poisson standard errors of the two counts over their spans.
	se := math.Sqrt(o.n2xx/sq(o.seconds) + ref.n2xx/sq(ref.seconds))
	c.OK = !(g < g0-zCheck*se)
	c.Detail = fmt.Sprintf("%s 2xx/s against %s at the capacity", numfmt.Rate(g), numfmt.Rate(g0))
	if !c.OK {
		c.Detail += fmt.Sprintf(": it collapsed by %s (more than %d standard errors of %s/s)", numfmt.Percent(1-g/g0), zCheck, numfmt.Rate(se))
	}
	return c
}

func sq(v float64) float64 { return v * v }

// counterCheck compares the increase of the target's reject counters
// (summed: a target may count admission rejects, queue timeouts and rate
// limiting apart) during the measured windows with the 503/429 the client
// counted. The windows are 1-second scrapes, so each end may shift up to
// one second of rejections between them; beyond that, zCheck Poisson
// errors. A window without a sample (a failed scrape) makes the check
// absent rather than wrong.
func counterCheck(st *result.Stage, tl []result.Window, counters []string) (result.BackpressureCheck, bool) {
	c := result.BackpressureCheck{Name: CheckRejectCounter, OK: true}
	names := counters
	if len(names) == 0 {
		names = findRejectCounters(tl)
	}
	var rise float64
	var used []string
	for _, name := range names {
		key, seen := "rate("+name+")", 0
		for _, w := range tl {
			if v, ok := w.Scrape[key]; ok {
				rise += v * w.DurationS
				seen++
			}
		}
		switch {
		case seen == 0:
			continue
		case seen < len(tl):
			// A scrape that failed in some window leaves a hole no
			// tolerance covers: the counters cannot be compared.
			return c, false
		}
		used = append(used, name)
	}
	if len(used) == 0 {
		return c, false
	}
	client := float64(st.Status["503"] + st.Status["429"])
	tol := 2*client/math.Max(st.LengthS(), 1) + zCheck*math.Sqrt(math.Max(client, 1))
	c.OK = math.Abs(rise-client) <= tol
	c.Detail = fmt.Sprintf("%s rose by %s during the probe; the client counted %s 503/429", strings.Join(used, " + "), numfmt.Num(math.Round(rise)), numfmt.Int(int64(client)))
	if c.OK {
		c.Detail += fmt.Sprintf(" (within %s)", numfmt.Num(math.Round(tol)))
	} else {
		c.Detail += fmt.Sprintf(": they differ by more than %s, the target's counters do not see its own rejections", numfmt.Num(math.Round(tol)))
	}
	return c, true
}

// rejectWords mark a scraped counter as counting requests turned away.
var rejectWords = []string{"reject", "shed", "throttl", "limited", "timed_out", "expired", "dropped"}

// findRejectCounters picks the scraped counters whose names say they count
// requests turned away (rejectWords), sorted by name.
func findRejectCounters(tl []result.Window) []string {
	var names []string
	seen := map[string]bool{}
	for _, w := range tl {
		for k := range w.Scrape {
			inner, ok := strings.CutPrefix(k, "rate(")
			if !ok || seen[k] {
				continue
			}
			seen[k] = true
			inner = strings.TrimSuffix(inner, ")")
			low := strings.ToLower(inner)
			for _, word := range rejectWords {
				if strings.Contains(low, word) {
					names = append(names, inner)
					break
				}
			}
		}
	}
	sort.Strings(names)
	return names
}

// retryAfterCheck: every sampled 503/429 carried Retry-After.
func retryAfterCheck(smp *result.Samples) (result.BackpressureCheck, bool) {
	c := result.BackpressureCheck{Name: CheckRetryAfter, OK: true}
	if smp == nil {
		return c, false
	}
	var with, without []string
	for _, code := range []string{"503", "429"} {
		rs, ok := smp.Responses[code]
		if !ok {
			continue
		}
		has := false
		for k, v := range rs.Headers {
			has = has || (strings.EqualFold(k, "Retry-After") && strings.TrimSpace(v) != "")
		}
		if has {
			with = append(with, code)
		} else {
			without = append(without, code)
		}
	}
	if len(with)+len(without) == 0 {
		return c, false
	}
	c.OK = len(without) == 0
	if c.OK {
		c.Detail = "the " + strings.Join(with, " and ") + " sampled carried Retry-After"
	} else {
		c.Detail = "the " + strings.Join(without, " and ") + " sampled had no Retry-After: clients cannot tell when to come back"
	}
	return c, true
}
