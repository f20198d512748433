package capacity

import (
	"math"
	"strconv"

	"github.com/bploadgen/bploadgen/internal/result"
)

// Why a rate was probed (CapacityProbe.ProposedBy).
const (
	ByMin    = "min"    // the first probe
	ByRamp   = "ramp"   // twice the last passing rate
	ByBisect = "bisect" // the middle of the bracket
	ByModel  = "model"  // near the queueing model's predicted limit
	ByMax    = "max"    // the ramp's step capped at --max
)

// The search's step rules.
const (
	// rampFactor multiplies the last passing rate while nothing has failed.
	rampFactor = 2
	// modelJump bounds how far above the last passing rate a model's
	// proposal may go while nothing has failed.
	modelJump = 8
	// guard keeps a model's proposal inside the bracket, this fraction of
	// its width away from either end, so every probe shrinks it.
	guard = 0.1
)

// next decides the next probe rate, or why the search stops.
func (s *searcher) next() (rate float64, why, stop string) {
	lo, hi, c := s.lo, s.hi, &s.cfg
	switch {
	case lo == 0 && hi == 0:
		return c.Min, ByMin, ""
	case lo == 0:
		return 0, "", result.StopMin // --min did not pass; nothing is probed below it
	case hi == 0 && c.Max > 0 && lo >= c.Max:
		return 0, "", result.StopMax
	case hi > 0 && hi-lo <= c.Precision*lo:
		return 0, "", result.StopPrecision
	}
	rate, why = (lo+hi)/2, ByBisect
	if hi == 0 {
		rate, why = rampFactor*lo, ByRamp
	}
	if m, expect, ok := s.modelProposal(); ok {
		rate, why = m, ByModel
		s.expect = expect
	}
	if c.Max > 0 && rate >= c.Max {
		rate = c.Max
		if why == ByRamp {
			why = ByMax
		}
	}
	return s.round(rate), why, ""
}

// modelProposal is the model's next probe: just below its predicted limit
// L (L·(1 − P/3), or the band's low end if lower: expected to pass) while
// the bracket's lower end is below that, else just above (L·(1 + P/3), or
// the band's high end if higher: expected to fail); so when the model is
// right, two probes close the bracket to the precision, and a model that
// knows its limit only roughly does not first probe where the SLO sits at
// its threshold (an uncertain verdict, extended to its cap). A band's end
// is used only while it moves the bracket by more than P. It proposes
// nothing without a forecast, right after a probe it misjudged (a plain
// step then guarantees progress), or when L lies outside what the bracket
// still allows. Proposals are kept guard·width inside a bracket, and at
// most modelJump times the passing rate while ramping.
func (s *searcher) modelProposal() (rate float64, expect string, ok bool) {
	L, lo, hi, p := s.limit, s.lo, s.hi, s.cfg.Precision
	if L <= 0 || s.doubted {
		return 0, "", false
	}
	below, above := L*(1-p/3), L*(1+p/3)
	if f := s.forecast; f != nil {
		// A band's end is proposed only while it would move the bracket
		// by more than the precision; then the point's neighbours.
		if b := f.BandLowRPS; b < below && b > lo*(1+p) {
			below = b
		}
		if b := f.BandHighRPS; b > above && (hi == 0 || b < hi*(1-p)) {
			above = b
		}
	}
	switch {
	case below > lo && (hi == 0 || below < hi):
		rate, expect = below, result.VerdictPass
	case above > lo && (hi == 0 || above < hi):
		rate, expect = above, result.VerdictFail
	default:
		return 0, "", false
	}
	if hi == 0 {
		rate = math.Min(rate, modelJump*lo)
	} else {
		w := hi - lo
		rate = math.Min(math.Max(rate, lo+guard*w), hi-guard*w)
	}
	return rate, expect, rate > lo
}

// round writes a rate with as few significant digits (from 3) as keep it
// strictly inside the bracket, so documents show 333 rps, not 333.3333.
func (s *searcher) round(rate float64) float64 {
	for d := 3; d < 12; d++ {
		r := roundSig(rate, d)
		if r > s.lo && (s.hi == 0 || r < s.hi) && (s.cfg.Max == 0 || r <= s.cfg.Max) {
			return r
		}
	}
	return rate
}

// roundSig rounds v to d significant digits.
func roundSig(v float64, d int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', d, 64), 64)
	return r
}
