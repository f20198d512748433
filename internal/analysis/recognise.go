package analysis

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/bploadgen/bploadgen/internal/numfmt"
	"github.com/bploadgen/bploadgen/internal/queueing"
	"github.com/bploadgen/bploadgen/internal/result"
)

// recognition is the shedding mechanism decided for a result, its
// parameters with their 95% half-widths, and the weighing behind it.
type recognition struct {
	best       candidate
	cHW, kHW   float64
	patienceHW float64
	rateHW     float64
	burstSeen  bool // the fit tells the burst apart from a large one
	// burstAbove is the largest bucket size below the best that the fit
	// rules out (worse than the best by more than 4 in χ²): the bucket is
	// larger. 0 when none is ruled out.
	burstAbove float64
	confidence float64
	cands      []result.Candidate
	evidence   []string
	given      bool
	close      string // a runner-up nearly as likely (closeCall), said unless the verdict changes
	shutOut    bool   // the target shut the load out (collapse.go): its 2xx say nothing of its workers
}

// lateEps is the share of immediate answers that come back late anyway
// (a send-lag spike, a GC pause), and of timed-out ones that come back
// early: the two binomial likelihoods of the lateness evidence.
const lateEps = 0.02

// wallScale is the spread (q50 − q10)/q50 of a queue timeout's late
// answers that the wall's likelihood tolerates: send lag and the
// server's timer add a little; a spread several times this is no wall.
const wallScale = 0.1

// recognise weighs the mechanisms against the result (package doc,
// "How the target sheds"). svc and ovh are the service time and overhead
// the analysis settled on; obs the shedding features.
func (an *analyzer) recognise(obs *shedObs, knee *result.Knee) *recognition {
	rc := &recognition{}
	if n := retriesSent(an.r); n > 0 {
		an.recogniseRetried(rc, n) // retrycheck.go
		an.applyGiven(rc, nil)
		return rc
	}
	if obs.shed == 0 {
		an.recogniseNoShed(rc, knee)
		an.noteRefused(rc, knee) // refused.go
		an.applyGiven(rc, nil)
		return rc
	}
	var cands []candidate
	busy, busyN, busyStage := an.saturatedBusy()
	c := 1
	if busy > 0 {
		c = max(1, int(math.Round(busy)))
		rc.cHW = an.busyHW(busy, busyN, busyStage) + 0.5
	}
	if obs.rejWindows > 0 {
		// The least in-flight maximum of a rejecting second is K + 1 plus
		// whatever else was on the wire at that moment (answers on their way
		// back, refused requests in flight): K is that less 1 to 3, which
		// the fit of the shed ratios tells apart.
		k := int(obs.inFlightLow) - 1
		// The fit picks K from three neighbours: the interval spans them,
		// plus half the spread of the rejecting seconds' lower levels.
		rc.kHW = 2 + float64(obs.inFlightQ1-obs.inFlightLow)/2
		for kk := max(1, k-2); kk <= k; kk++ {
			cands = append(cands, candidate{mech: mechConcurrency, c: kk, k: kk})
			if cq := min(c, kk-1); cq >= 1 {
				cands = append(cands, candidate{mech: mechBoundedQueue, c: cq, k: kk})
			}
		}
		if k >= 1 {
			mid := int(math.Round(float64(obs.inFlightLow+obs.inFlightQ1)/2)) - 1
			if obs.limitMean > 0 {
				mid = int(math.Round(obs.limitMean))
			}
			cands = append(cands, candidate{mech: mechAdaptive, c: min(c, max(1, mid)), k: max(1, mid)})
		}
	}
	if obs.latOK && obs.late > 0 {
		// The fastest tenth of the timed-out answers waited D plus the
		// overhead and the least of the lag and the server's timer delay
		// (which only add); the interval is the wall's spread up to its
		// median, the histogram's 0.1% buckets and a tenth of the overhead
		// taken off.
		d := math.Max(1e-6, obs.wall[0]-obs.ref)
		cands = append(cands, candidate{mech: mechQueueTimeout, c: c, patience: d})
		rc.patienceHW = obs.wall[2] - obs.wall[0] + 0.002*obs.wall[0] + 0.1*obs.ref
		if !obs.refKnown {
			rc.evidence = append(rc.evidence, "without Server-Timing the overhead is unknown: the queue timeout includes the client's round trip")
		}
	}
	if rate, hw, ok := an.admittedRate(); ok {
		cands = append(cands, an.fitRate(rate, an.bursts())...)
		cands = append(cands, an.delayedRates(rate, obs)...) // ratedelay.go
		rc.rateHW = hw
	}
	cands = an.heldLimits(an.specCandidates(cands, c)) // hold.go
	label, seed := an.r.Arrival, seedOf(an.r)
	spread := map[spreadKey]fitPred{}
	for i := range cands {
		cands[i].fit(an.data, label, an.svc, an.ovh, seed, spread)
	}
	an.weighLevels(cands) // levels.go: before the best K and burst are chosen
	cands = bestOf(cands, mechConcurrency)
	cands = bestOf(cands, mechBoundedQueue)
	cands = bestBurst(cands, rc)
	rc.burstSeen = rc.burstSeen || an.spec.Burst > 0 // a given bucket is known
	an.weigh(obs, cands, rc)
	an.noteCollapse(rc)             // collapse.go
	an.noteEveryLoad(rc, obs, knee) // baseloss.go
	an.applyGiven(rc, cands)
	if rc.close != "" && !rc.given && rc.best.mech != mechUnknown {
		rc.evidence = append(rc.evidence, rc.close)
	}
	rc.noteGenerator(an.r)
	return rc
}

// noteGenerator says why no mechanism fitted when the generator fell
// behind its schedule (r.GeneratorLimited): the target then saw late,
// bunched arrivals that no mechanism's model was given, so "unknown" is
// the generator's doing as likely as the target's — the honest answer is
// that this run cannot tell, not a guess.
func (rc *recognition) noteGenerator(r *result.Result) {
	if rc.given || rc.best.mech != mechUnknown || !r.GeneratorLimited {
		return
	}
	rc.evidence = append([]string{fmt.Sprintf("%s: the generator fell behind its schedule (send lag p99 %s), so the target saw late, bunched arrivals no mechanism's model was given; this run cannot tell how the target sheds (rerun where the generator keeps up)",
		generatorCannotTell, numfmt.Seconds(r.Total.SendLag.P99))}, rc.evidence...)
}

// generatorCannotTell (result.UnknownGenerator) begins the evidence of an "unknown" mechanism that a
// generator behind its schedule may explain (noteGenerator).
const generatorCannotTell = result.UnknownGenerator

// saturatedBusy is the busy workers X·E[S] at the stage that shed the
// most (Server-Timing's own E[S] for it when there is one), the count
// behind X, and the stage.
func (an *analyzer) saturatedBusy() (busy float64, n int64, at *stageData) {
	worst := -1.0
	for _, d := range an.data {
		if d.responses < shedStageMin || d.tau <= 0 {
			continue
		}
		if r := float64(d.n503) / float64(d.responses); r > worst {
			worst, at = r, d
		}
	}
	if at == nil {
		return 0, 0, nil
	}
	s := an.svc.mean
	if at.srv != nil {
		s = at.srv.svcMn
	}
	return float64(at.n2xx) / at.tau * s, at.n2xx, at
}

// busyHW is the 95% half-width of busy workers X·E[S] measured at stage d
// from n responses: the count's and E[S]'s relative errors together.
func (an *analyzer) busyHW(busy float64, n int64, d *stageData) float64 {
	return queueing.NormalZ(level) * busy * math.Sqrt(1/math.Max(1, float64(n))+sq(an.svc.stageHW(d)/an.svc.mean))
}

// admittedRate is the rate the target admitted over the stages that shed
// (2xx and other answers, not the shed ones), with the 95% half-width of
// its count: what a rate limit lets through.
func (an *analyzer) admittedRate() (rate, hw float64, ok bool) {
	var n, tau float64
	for _, d := range an.data {
		if d.responses < shedStageMin || float64(d.n503) < minShedStage*float64(d.responses) || d.n503 < 20 {
			continue
		}
		n += float64(d.responses - d.n503)
		tau += d.tau
	}
	if tau <= 0 || n <= 0 {
		return 0, 0, false
	}
	return n / tau, queueing.NormalZ(level) * math.Sqrt(n) / tau, true
}

// burstGrid are the bucket sizes a rate limit's fit tries.
var burstGrid = []float64{1, 2, 10, 100}

// bursts are the bucket sizes to fit: the one given (--burst), else the
// grid.
func (an *analyzer) bursts() []float64 {
	if an.spec.Burst > 0 {
		return []float64{an.spec.Burst}
	}
	return burstGrid
}

// fitRate is a rate-limit candidate per bucket size of bursts. The admitted
// rate equals R only when no token is wasted (a bucket full while a
// request could have used it): R is corrected by the waste the model
// predicts at the stage that shed the most.
func (an *analyzer) fitRate(admitted float64, bursts []float64) []candidate {
	var out []candidate
	for _, b := range bursts {
		out = append(out, an.correctRate(candidate{mech: mechRateLimit, rate: admitted, burst: b}, admitted))
	}
	return out
}

// correctRate sets a rate-limit candidate's R from the admitted rate and
// the waste it predicts at the stage that shed the most (fitRate).
func (an *analyzer) correctRate(cd candidate, admitted float64) candidate {
	var worst *stageData
	for _, d := range an.data {
		if d.responses >= shedStageMin && (worst == nil || float64(d.n503)/float64(d.responses) > float64(worst.n503)/float64(worst.responses)) {
			worst = d
		}
	}
	if worst != nil {
		if fp, ok := cd.predict(worst, an.r.Arrival, an.svc, seedOf(an.r), nil); ok && fp.ratio < 1 {
			if adm := worst.lambda * (1 - fp.ratio); adm > 0 {
				cd.rate = admitted * admitted / adm
			}
		}
	}
	return cd
}

// unknownSigmas is how many standard errors per stage "unknown" misses
// by: 3, since a stage's interval comes from a handful of 1-second batches
// and can be too narrow by half (a right model's χ² then runs at 4 per
// stage, which must still beat "none of these").
const unknownSigmas = 3

// sq is x².
func sq(x float64) float64 { return x * x }

// weigh adds the categorical evidence to each candidate's likelihood,
// normalises them into probabilities (with "unknown", which explains the
// lateness perfectly but the shed ratios only to unknownSigmas standard
// errors per stage), and keeps the best.
func (an *analyzer) weigh(obs *shedObs, cands []candidate, rc *recognition) {
	stages := 0
	for _, d := range an.data {
		if d.responses >= shedStageMin {
			stages++
		}
	}
	// "unknown" explains every stage to unknownSigmas standard errors.
	unknown := candidate{mech: mechUnknown, ll: -sq(unknownSigmas) / 2 * float64(max(stages, 1))}
	if obs.latOK {
		share := math.Min(1-lateEps, math.Max(math.Min(0.5, lateEps+obs.lagLate), obs.lateShare()))
		unknown.ll += binomialLL(obs.late, obs.early, share)
		rc.evidence = append(rc.evidence, obs.describeLatency())
	}
	// An immediate answer looks late when its request was sent late: the
	// generator's own lag (obs.lagLate) adds to lateEps.
	immediateLate := math.Min(0.5, lateEps+obs.lagLate)
	lc, levelsOK := an.levels() // levels.go
	if levelsOK {
		if line := lc.describe(an.shed.present(an.r.Total.Status)); line != "" {
			rc.evidence = append(rc.evidence, line)
		}
	}
	for i := range cands {
		cd := &cands[i]
		if obs.latOK {
			p := immediateLate
			if cd.mech == mechQueueTimeout {
				p = 1 - lateEps
				cd.ll -= math.Min(50, sq(obs.wallSpread()/wallScale)/2)
			}
			cd.ll += binomialLL(obs.late, obs.early, p)
		}
		if obs.n429 > obs.shed/2 && cd.mech == mechRateLimit {
			cd.ll += math.Log(10) // RFC 6585: 429 is the rate limiter's status
		}
		if obs.rejWindows > 1 {
			// A fixed limit rejects at one in-flight level: the rejecting
			// windows' maxima differ only by what is on the wire (fuzz; the
			// lower quartile, since a client that stalls piles up answers it
			// has not read). An adaptive one moves, by more than that; it is
			// also the model with more to it (its path), so it starts at
			// odds 1:4.
			fuzz := math.Max(2, 0.1*float64(obs.inFlightLow))
			spread := float64(obs.inFlightQ1 - obs.inFlightLow)
			switch cd.mech {
			case mechBoundedQueue, mechConcurrency:
				cd.ll -= math.Min(50, sq(spread/fuzz)/2)
			case mechAdaptive:
				cd.ll -= math.Min(50, sq(math.Max(0, 2*fuzz-spread)/fuzz)/2) + math.Log(4)
			}
		}
		if obs.scraped {
			if policyMech(obs.policy, obs.scrapeQueue) == cd.mech {
				cd.ll += math.Log(1000)
			}
		}
	}
	cands = append(slices.Clone(cands), unknown)
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].ll > cands[j].ll })
	top := cands[0].ll
	var z float64
	for _, cd := range cands {
		z += math.Exp(cd.ll - top)
	}
	for _, cd := range cands {
		rc.cands = append(rc.cands, result.Candidate{Mechanism: cd.mech, Probability: math.Exp(cd.ll-top) / z})
	}
	rc.best, rc.confidence = cands[0], rc.cands[0].Probability
	an.describeEvidence(obs, cands, rc)
}

// binomialLL is the log-likelihood of late and early counts when each
// answer is late with probability p.
func binomialLL(late, early int64, p float64) float64 {
	return float64(late)*math.Log(p) + float64(early)*math.Log(1-p)
}

// policyMech is the mechanism of a built-in target policy.
func policyMech(policy string, queue float64) string {
	switch policy {
	case "reject":
		if queue == 0 {
			return mechConcurrency
		}
		return mechBoundedQueue
	case "unbounded":
		return mechUnbounded
	case "deadline":
		return mechQueueTimeout
	case "ratelimit":
		return mechRateLimit
	case "aimd":
		return mechAdaptive
	}
	return ""
}

// describeEvidence writes the evidence lines after the weighing.
func (an *analyzer) describeEvidence(obs *shedObs, cands []candidate, rc *recognition) {
	if obs.rejWindows > 0 {
		rc.evidence = append(rc.evidence, fmt.Sprintf("in the %d seconds that shed, the client had at most %d to %d requests in flight (a fixed limit K sheds at K admitted + the refused one; %.1f on average)",
			obs.rejWindows, obs.inFlightLow, obs.inFlightHigh, obs.inFlightMean))
	}
	if rate, _, ok := an.admittedRate(); ok {
		rc.evidence = append(rc.evidence, fmt.Sprintf("the stages that shed admitted %.4g requests/s together (a rate limit admits its rate, whatever the offered load)", rate))
	}
	if obs.n429 > 0 {
		rc.evidence = append(rc.evidence, fmt.Sprintf("%d of the %d shed responses were 429 Too Many Requests", obs.n429, obs.shed))
	}
	if obs.retryAfter != "" {
		rc.evidence = append(rc.evidence, fmt.Sprintf("shed responses carry Retry-After: %s (the target says when to come back)", obs.retryAfter))
	} else {
		rc.evidence = append(rc.evidence, "the sampled shed response carries no Retry-After")
	}
	if obs.scraped {
		rc.evidence = append(rc.evidence, fmt.Sprintf("the target's own metrics (--scrape) name its policy %q", obs.policy))
	}
	var fits []string
	stages := 0
	for _, cd := range cands {
		if cd.mech == mechUnknown || cd.stages == 0 {
			continue
		}
		stages = max(stages, cd.stages)
		fits = append(fits, fmt.Sprintf("%s %.3g", cd.mech, cd.chi2))
	}
	if len(fits) > 0 {
		rc.evidence = append(rc.evidence, fmt.Sprintf("χ² of the shed ratios over %d stages under each mechanism's best fit: %s (about %d if the model is right)",
			stages, strings.Join(fits, ", "), stages))
	}
	rc.close = closeCall(cands, rc.cands) // hold.go
}
