package analysis

import "time"

// Metastability verdicts (issue #17): after a stage whose offered rate
// dropped back, once the largest retry delay in force has passed, the
// attempt rate either came back to the first-attempt rate for good by the
// stage's end or stayed above.
const (
	Recovered = "recovered" // attempts within RecoveryTolerance of first attempts from RecoveryS to the stage's end
	Amplified = "amplified" // still above at the stage's end; Factor over the judged span
	Undecided = "undecided" // the stage ended before the largest retry delay passed
)

// RecoveryTolerance is how far above the first-attempt rate the attempt
// rate may be and still count as recovered: 10%, as the issue states.
const RecoveryTolerance = 0.10

// RetryStage is one stage of the plan as the check needs it: its span (s
// from the run's start) and its offered rate of first attempts (1/s).
type RetryStage struct {
	Name         string
	StartS, EndS float64
	OfferedRPS   float64
}

// RetryWindow is one timeline window's counts: first attempts sent and all
// attempts sent (first attempts and retries) in [StartS, StartS+DurationS).
type RetryWindow struct {
	StartS, DurationS float64
	First, Attempts   int64
}

// Metastability is the check of one stage after a drop in offered rate.
type Metastability struct {
	Index   int // the stage's position in the stages given (0-based)
	Stage   string
	Verdict string // Recovered, Amplified or Undecided

	// FromS is where the judged span starts: the stage's start plus the
	// largest retry delay in force. FirstRPS and AttemptRPS are the rates
	// over the whole windows from FromS to the stage's end; Factor is
	// AttemptRPS/FirstRPS (0 when no first attempt was sent there).
	FromS, FirstRPS, AttemptRPS, Factor float64

	// RecoveryS is the time from the stage's start to the start of the
	// first window after which every window of the stage is within
	// RecoveryTolerance; -1 when the stage never settled.
	RecoveryS float64
}

// CheckMetastability judges every stage whose offered rate is lower than
// the stage before it (a spike's end, a step down). maxDelay is the largest
// retry delay in force: the backoff cap, or the Retry-After cap when
// Retry-After is honoured. Windows count when they lie wholly inside the
// judged span. The stages and windows are in time order.
func CheckMetastability(stages []RetryStage, windows []RetryWindow, maxDelay time.Duration) []Metastability {
	var out []Metastability
	for i := 1; i < len(stages); i++ {
		st := stages[i]
		if st.OfferedRPS >= stages[i-1].OfferedRPS {
			continue
		}
		m := Metastability{Index: i, Stage: st.Name, Verdict: Undecided, FromS: st.StartS + maxDelay.Seconds(), RecoveryS: -1}
		var first, all int64
		var span float64
		var inside []RetryWindow
		for _, w := range windows {
			end := w.StartS + w.DurationS
			if w.StartS < st.StartS-1e-9 || end > st.EndS+1e-9 {
				continue
			}
			inside = append(inside, w)
			if w.StartS >= m.FromS-1e-9 {
				first += w.First
				all += w.Attempts
				span += w.DurationS
			}
		}
		if rec, ok := RecoveryTime(inside, st.StartS); ok {
			m.RecoveryS = rec
		}
		if span > 0 {
			m.FirstRPS, m.AttemptRPS = float64(first)/span, float64(all)/span
			if first > 0 {
				m.Factor = float64(all) / float64(first)
			}
			// Recovered when the stage settled for good by its end (its
			// last window too), so that the verdict and RecoveryS never
			// disagree: a request's retries may follow one another up to
			// the policy's maximum, so the attempt rate may still be
			// coming down when the largest delay has passed.
			m.Verdict = Amplified
			if m.RecoveryS >= 0 {
				m.Verdict = Recovered
			}
		}
		out = append(out, m)
	}
	return out
}

// RecoveryTime is how long after fromS (s from the run's start: a spike's
// end) the attempt rate came back within RecoveryTolerance of the
// first-attempt rate for good: the start of the first window, at or after
// fromS, from which every later window settles (attempts ≤ 1.1 × first
// attempts; a window without first attempts, none at all), minus fromS.
// Its resolution is the windows' length. Windows that start before fromS
// are not looked at. ok is false when the last window does not settle
// (not recovered by the windows' end) or no window starts at or after
// fromS. The windows are in time order.
func RecoveryTime(windows []RetryWindow, fromS float64) (s float64, ok bool) {
	settledFrom := -1.0
	for _, w := range windows {
		if w.StartS < fromS-1e-9 {
			continue
		}
		switch {
		case !settles(w):
			settledFrom = -1
		case settledFrom < 0:
			settledFrom = w.StartS
		}
	}
	if settledFrom < 0 {
		return 0, false
	}
	return settledFrom - fromS, true
}

// settles reports whether a window's attempts are within RecoveryTolerance
// of its first attempts.
func settles(w RetryWindow) bool {
	if w.First == 0 {
		return w.Attempts == 0
	}
	return float64(w.Attempts) <= (1+RecoveryTolerance)*float64(w.First)
}
