// Package capacity finds the highest rate at which a target meets its SLOs
// (`bploadgen capacity`, issue #13, docs/capacity.md), then checks whether
// its backpressure holds past that rate. The search is pure logic over a
// Prober, which carries out segments (RunProber: internal/run against a
// real target; tests use a fake) and a Clock, so every rule below is
// tested deterministically. Around it: Plan and Settings turn what a
// person asks for (the command's flags, a profile) into the plan and the
// Config, Run searches a real target and completes the document, and Live
// is the display on a terminal.
//
// # Probes
//
// A probe judges one rate. Each segment of it is one open-loop run: a
// warm-up stage (10 mean response times of the last probe, within
// WarmupMin–WarmupMax; queueing.md §8), then BatchesPerSegment measured
// stages at the same rate, the batches of the batch-means intervals. The
// first measured part lasts long enough for twice the fewest samples any
// SLO needs to pass at all (MinSamples: 381 for a p99 or a 1% ratio), at
// least MeasureMin. The measured stages of all segments are
// concatenated (merge.Concat) into the probe's STAGE, on which every SLO is
// evaluated with assert.Expr.Check, the gate grammar's own evaluation.
//
// # Verdicts from confidence intervals
//
// Each SLO's statistic gets a 95% interval: a ratio's from the Wilson
// score interval, a mean's from its standard error, a percentile's by
// inverting the interval of the fraction of responses at most v (which,
// for independent responses, is the order-statistic interval of
// queueing.md §8; see quantile.go); each widened to the batch-means
// interval over the batches where that is wider (rejections come in
// bursts, queue latencies are autocorrelated; batches merge in pairs
// while their lag-1 autocorrelation is significant). pass: the whole
// interval meets the SLO; fail: none of it does; uncertain: the threshold
// is inside it, and the probe is extended (its measured length doubled)
// up to MaxExtension times its first length or a fifth of the budget,
// whichever is longer, within the budget. A rate
// whose true value sits on the threshold therefore stays uncertain, and
// a probe still uncertain at the cap counts as not passing: the capacity
// found is a rate judged to pass, never one merely not judged to fail.
// min and max have no interval; a ratio SLO at 0 or 100% is judged on
// the count.
//
// # The search
//
// Ramp from Min (DefaultMin when not given: the slow low-rate probes take
// at most a sixth of the budget) by doubling until a probe does not pass,
// then bisect the bracket [highest pass, lowest non-pass]. From the second
// probe on, a Forecaster (ModelForecaster: internal/analysis's queueing
// model with measured E[S], SCV or Server-Timing) predicts the highest
// rate meeting every SLO, L, and a band; the next probe goes to
// L·(1 − P/3) or the band's low end if lower (expected to pass), or to
// L·(1 + P/3) or the band's high end if higher (expected to fail) instead
// (a band's end only while it moves the bracket by more than P), kept
// inside the bracket (guard) and at most modelJump times the passing rate
// while ramping; after a probe the model misjudged, one plain step follows.
// Rates are rounded to three significant digits where that stays inside
// the bracket. After a probe that did not pass, a cooldown (its longest
// response time, or the timeout if requests timed out; at most
// CooldownMax) lets the target drain before the next warm-up.
//
// Stopping rules: precision (bracket width ≤ Precision × its lower end),
// max (Max passed), min (Min did not pass: nothing below it is probed),
// budget (the next probe's planned length does not fit what is left),
// interrupted (ctx cancelled; the partial probe and bracket are kept).
//
// # Past capacity: backpressure
//
// Then one probe at each Overload multiple of the capacity found, and
// five checks of what the background pages ask of a service (checksFor):
// rejects (at least 99% of the requests turned away got 503/429),
// latency-bounded (the 2xx mean latency of the probe's last third did not
// rise above its first third by both 3 standard errors and the whole 2xx
// mean latency at the capacity), goodput (2xx/s, over the time from the
// probe's start to its last response, not more than 3 Poisson standard
// errors below the capacity probe's), reject-counter (with
// --scrape: the target's reject counters together rose by the client's
// 503/429 count, within one scrape second at each end and 3 Poisson
// errors), retry-after (every sampled 503/429 had Retry-After). The verdict is fails when a check failed (the first, in
// that order, decides), holds when all passed and some probe turned
// requests away, unknown otherwise.
package capacity
