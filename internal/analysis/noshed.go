package analysis

import (
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// recogniseNoShed decides between "unbounded" (the target shed nothing but
// fell behind) and "none" (it kept up, so how it would shed was never
// seen). Three pieces of evidence, as log odds for unbounded:
//
//   - the knee: found (2xx short of what was sent, or p99 off its low-load
//     level, beyond their intervals) log 9, else −log 9;
//   - the steepest growth of the windows' mean 2xx latency within a stage,
//     as the logit of its one-sided Student-t confidence, that confidence
//     raised to the number of stages (the steepest of several is steep by
//     chance more often), capped at ±log 99;
//   - requests that timed out from the knee on, more of them than the
//     lowest-load stage's share would give (overloadTimeouts): log 99;
//     with no growth beyond chance, the evidence begins with
//     result.UnboundedTimedOut. A
//     server that takes more than it can serve and sheds nothing makes
//     the client give up on them (Apache whose workers are all busy leaves
//     connections in its listen backlog, and past it the kernel drops the
//     SYNs); the 2xx that still come back are those that waited less than
//     the timeout, so their mean need not grow.
func (an *analyzer) recogniseNoShed(rc *recognition, knee *result.Knee) {
	var responses int64
	conf, at, tBest, stages := 0.5, 0, 0.0, 0
	for _, d := range an.data {
		responses += d.responses
		t, df, ok := growthT(d)
		if !ok {
			continue
		}
		stages++
		st := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}
		if c := st.CDF(t); at == 0 || c > conf {
			conf, at, tBest = c, d.st.Index, t
		}
	}
	logOdds := -math.Log(9)
	if knee != nil {
		logOdds = math.Log(9)
	}
	grew := false // beyond chance, one-sided 95%
	if stages > 0 {
		c := math.Pow(conf, float64(stages))
		logOdds += math.Max(-math.Log(99), math.Min(math.Log(99), math.Log(c/(1-c))))
		grew = tBest > 0 && c >= level
	}
	timedOut, line := an.overloadTimeouts(knee)
	if timedOut {
		logOdds += math.Log(99)
	}
	p := 1 / (1 + math.Exp(-logOdds))
	rc.evidence = append(rc.evidence, fmt.Sprintf("no %s among %d responses (a shed ratio above %s would have shown one, 95%%)",
		strings.Join(an.shed.codes, " or "), responses, numfmt.Share(3/math.Max(1, float64(responses)))))
	if hint := an.shed.uncounted(an.r, responses); hint != "" {
		rc.evidence = append(rc.evidence, hint)
	}
	if knee != nil {
		rc.evidence = append(rc.evidence, fmt.Sprintf("the target stopped keeping up at stage %d (%s)", knee.Stage, knee.Criterion))
	} else {
		rc.evidence = append(rc.evidence, "the target kept up with every stage (no knee)")
	}
	if line != "" && grew {
		rc.evidence = append(rc.evidence, line+": left waiting past the timeout (in the target's queue, or in its listen backlog and the kernel's dropped SYNs), where a server that sheds answers 503 at once")
	}
	switch {
	case grew:
		rc.evidence = append(rc.evidence, fmt.Sprintf("the mean 2xx latency grew within stage %d (its slope's t statistic %.3g; an unbounded queue past capacity grows, a server that keeps up does not)", at, tBest))
	case at > 0 && tBest > 0:
		rc.evidence = append(rc.evidence, fmt.Sprintf("the mean 2xx latency grew within no stage beyond chance (the steepest, stage %d: t statistic %.3g over %d stages; an unbounded queue past capacity grows, unless the client gives up on the requests that wait longest)", at, tBest, stages))
	case at > 0:
		rc.evidence = append(rc.evidence, "the mean 2xx latency grew within no stage (an unbounded queue past capacity grows, unless the client gives up on the requests that wait longest)")
	}
	if timedOut && !grew {
		_, waited := an.overloadErrors(knee, "waited until the client gave up", result.ErrTimeout)
		rc.evidence = append([]string{result.UnboundedTimedOut + " " + waited + ", where the 2xx that came back did not wait longer and longer: past capacity the excess waited in a listen backlog, or on connections the server leaves unaccepted past its connection limit (Tomcat's maxConnections), not in a queue that grows; a server that sheds answers 503 at once"}, rc.evidence...)
	}
	un := result.Candidate{Mechanism: mechUnbounded, Probability: p}
	none := result.Candidate{Mechanism: mechNone, Probability: 1 - p}
	rc.best = candidate{mech: mechNone}
	rc.cands = []result.Candidate{none, un}
	if p > 0.5 {
		rc.best = candidate{mech: mechUnbounded}
		rc.cands = []result.Candidate{un, none}
	}
	rc.confidence = rc.cands[0].Probability
}

// growthT is the t statistic of the least-squares slope of the windows'
// mean 2xx latency against time over a stage, with its degrees of
// freedom (false with fewer than 3 windows).
func growthT(d *stageData) (t, df float64, ok bool) {
	xs, ys := d.meanSeries()
	n := float64(len(xs))
	if n < 3 {
		return 0, 0, false
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx, my = mx/n, my/n
	var sxy, sxx float64
	for i := range xs {
		sxy += (xs[i] - mx) * (ys[i] - my)
		sxx += (xs[i] - mx) * (xs[i] - mx)
	}
	if sxx <= 0 {
		return 0, 0, false
	}
	b := sxy / sxx
	var rss float64
	for i := range xs {
		r := ys[i] - my - b*(xs[i]-mx)
		rss += r * r
	}
	se := math.Sqrt(rss / (n - 2) / sxx)
	if se <= 0 {
		if b > 0 {
			return math.Inf(1), n - 2, true
		}
		return 0, n - 2, true
	}
	return b / se, n - 2, true
}

// overloadTimeouts says whether the stages from the knee on had requests
// time out beyond what the lowest-load stage's share of timeouts gives
// (a one-sided 95% binomial bound on the count, at least 10 and 1% of
// those sent), with their counts in words; false without a knee.
func (an *analyzer) overloadTimeouts(knee *result.Knee) (bool, string) {
	return an.overloadErrors(knee, "timed out", result.ErrTimeout)
}

// overloadErrors is overloadTimeouts for the error classes given, the
// verb saying what befell the requests ("timed out").
func (an *analyzer) overloadErrors(knee *result.Knee, verb string, classes ...string) (bool, string) {
	if knee == nil {
		return false, ""
	}
	var low *stageData
	var n, sent int64
	first := 0
	for _, d := range an.data {
		if low == nil || d.lambda < low.lambda {
			low = d
		}
		if d.st.Index >= knee.Stage {
			n += count(d.st.Errors, classes)
			sent += d.st.Sent
			if first == 0 {
				first = d.st.Index
			}
		}
	}
	if low == nil || sent == 0 {
		return false, ""
	}
	base := 0.0
	if low.st.Sent > 0 {
		base = float64(count(low.st.Errors, classes)) / float64(low.st.Sent)
	}
	mean := base * float64(sent)
	bound := mean + queueing.NormalZ(level)*math.Sqrt(math.Max(mean, 1))
	if n < 10 || float64(n) < 0.01*float64(sent) || float64(n) <= bound {
		return false, ""
	}
	return true, fmt.Sprintf("%d of the %d requests sent from stage %d on %s (%s; the lowest-load stage %d: %s)",
		n, sent, first, verb, numfmt.Share(float64(n)/float64(sent)), low.st.Index, numfmt.Share(base))
}

// count sums the classes' counts.
func count(errs map[string]int64, classes []string) int64 {
	var n int64
	for _, c := range classes {
		n += errs[c]
	}
	return n
}
