// Package analysis is bploadgen's capacity analysis of a result (issue #4):
// a *result.Result in, a *result.Analysis out, no I/O. `analyze` prints it,
// `run` and `demo` embed it, `size --from` reads its inputs (SizeInputs).
//
//	a, err := analysis.Analyze(r, analysis.ModelSpec{Workers: 8, Queue: 16, QueueKnown: true})
//	a, err := analysis.Auto(r) // nothing known: estimate, or nil when nothing can be
//
// # Little's law, per stage
//
// L = in_flight_mean (exact time average over the stage) against
// X·W = busy_s/τ (Σ completion − actual send of the stage's requests, over
// its length). Both count every sent request, whatever its outcome, from
// its actual send to its completion; they differ only by the requests
// straddling the stage's ends, which are bounded by (in flight at the
// start × longest earlier sojourn + in flight at the end × longest sojourn)/τ
// (docs/queueing.md §1). A stage is flagged — a measurement problem, not a
// queueing effect — when |L/(X·W) − 1| exceeds both 2% and that bound, and
// no verdict is given on its predictions.
//
// # The service time
//
// Given (ModelSpec.ServiceMean; source "given"), else the target's
// Server-Timing svc entries pooled over the stages (mean, SCV;
// "server-timing"), else estimated from the lowest-load stage as its mean
// response time from the actual send less the estimated overhead
// ("estimated", with the caveats in the warnings: it still includes
// network time and any queueing, the minimum or median would not be E[S]).
// δS, the uncertainty every prediction band carries, is the distance of the
// model's E[S] from the Server-Timing measurement plus that measurement's
// 95% interval (per stage when the service time depends on the load), the
// estimate's own uncertainty without Server-Timing, and 0 for a given E[S]
// nothing contradicts.
//
// Workers unknown: c ≈ X·E[S] at the saturated stages (the utilisation
// law; Server-Timing measures the busy workers directly), when some stage
// fell short of what was sent; otherwise no predictions. Queue unknown:
// modelled as unbounded when no 503 was seen, else the 503 ratio is
// predicted only as its lower bound 1 − 1/ρ and times only where no 503s
// happened.
//
// # The model
//
// Every prediction is driven by the stage's achieved rate (sent/τ), never
// the plan. Per stage, with the measured arrival SCV less the part that
// independent send jitter explains (2·Var(J)·λ², J's spread taken from the
// send lag's interquartile range): Poisson when within max(0.1, 3·2/√n) of
// 1. With a bound K = c + queue: Poisson arrivals and exponential service
// (SCV within 0.1 of 1) give the exact M/M/c/K formulas (tolerance 0);
// anything else is simulated, G/G/c/K with gamma arrivals and a service of
// the measured mean and SCV (tolerance 5%, plus the simulation's interval).
// Without a bound: M/M/c exact, or Whitt's G/G/c mean with the G/G/c tail
// heuristic (tolerance 10%); at ρ ≥ 1 there is no steady state and the
// stage reports the growth of its latency instead of percentiles. The model
// is named after what most stages use; the notes say why, and which stages
// differ.
//
// # Predicted against observed
//
// Observed, per stage: the 503 ratio = 503s / responses (the requests that
// reached the server; transport errors are counted apart), and the mean
// and p99 of the client's 2xx latency from the intended send (what a user
// sees). The model predicts the server's response time of admitted
// requests; the client adds overhead O (send lag, loopback, HTTP,
// scheduling). With Server-Timing, ō = mean(2xx latency) − mean(queue) −
// mean(svc) per stage, exactly; predicted times are the model's plus ō
// (the model's own are in predicted_server, the server's own account in
// observed_server). Without Server-Timing the 503s' round trip estimates ō.
//
// agree ⇔ |observed − predicted| ≤ band (docs/queueing.md §8), where band =
// max(abs floor, tolerance·|predicted|) + measured CI + |p(E[S] ± δS) −
// p(E[S])| (+ a simulation's interval) (+ ō for the p99, for the overhead's
// spread). The measured CI is the wider of the batch-means interval over
// the stage's 1-second windows (batches of ≥ 10 relaxation times, ≤ 30 of
// them) and the 95% spread of the same statistic over simulated stages of
// the same length under the model — a stage has few windows, and near
// saturation its statistics are far noisier than their sample sizes say.
// The 503 ratio's interval is never below the Poisson noise of its count.
// No verdict ("insufficient data", agree null) when there are fewer than 2
// batches, fewer than 100 2xx latencies for a p99, no histograms, a time
// measured only to ±50%, a ratio only to ±max(2 points, half of itself), or
// a stage failing Little's law. A p99 from fewer than 7 173 latencies (±5%
// for iid samples, SamplesForQuantile) says so in samples_needed.
//
// # How the target sheds (issue #12)
//
// Before any model is chosen, observeShedding reads what distinguishes the
// mechanisms: the shed answers' (503, 429) latencies, the histograms of
// all answers less the 2xx ones, split at the level no immediate answer
// reaches (the lowest-load overhead + max(1 ms, ¼ of the 2xx median));
// the in-flight maximum of each second that shed (a fixed limit K sheds at
// K admitted + the refused request, + what is on the wire); the rate the
// shedding stages admitted; 429s; Retry-After; and the built-in target's
// own metrics when scraped. recognise fits each mechanism (K from a small
// grid below the in-flight level, c from the busy workers of the stage
// that shed most, D from the late answers' lower quartile less the
// overhead, R from the admitted rate corrected for wasted tokens, B from a
// grid) and scores it by the χ² of every stage's shed ratio against its
// measured interval and of the shedding stages' 2xx means (an adaptive
// limit's errors widened by its model's 25% tolerance, below, as its
// verdicts are), plus the likelihoods of the categorical evidence;
// "unknown" stands for no model
// (a 3-standard-error miss per stage). The normalised likelihoods are the
// candidates' probabilities; the best one's is the confidence. The
// mechanism then chooses the model: M/M/c/K with the recognised K, M/M/c+D
// (G/G/c+D simulated) for a queue timeout, Erlang B for a concurrency
// limit, the token bucket for a rate limit, M/M/c/K at the shedding level
// with a 25% tolerance for an adaptive limit.
//
// Two things make the mechanism "unknown" whatever the fit: a shedding
// stage whose admitted requests mostly failed (504s, 5xx, timeouts: a
// collapse, collapse.go), and client retries (a stage's outcomes are
// logical requests', retrycheck.go). The evidence says which.
//
// Honest agreement: a band wider than 20% of its prediction (2 points
// for a ratio) gives no verdict; the overhead comes only from answers known
// to be immediate, and an estimated one never widens a band.
//
// # The knee and the capacity
//
// The knee is the first stage where 2xx fell short of the requests SENT
// by more than 1% beyond the shortfall's interval (comparing with what was
// sent, not with the plan, removes the arrivals' own Poisson noise), or
// where the 2xx p99 rose beyond 1.5× its low-load level, both beyond their
// intervals; Kneedle's pick on (achieved, throughput) is reported beside.
// The capacity is c/E[S] when both are known, else the throughput plateau
// (a rate limit's rate), and never below the 2xx throughput a stage
// sustained (answered within a tenth of the stage): an estimated E[S]
// that says less is corrected to c/X, and on a saturated stage of a queue
// mechanism E[S] is what its throughput says.
//
// # Predicting at other rates
//
// NewPredictor fits the same model to a result and answers for any arrival
// rate what the client would see (block ratio, 2xx mean and p99 with the
// overhead added): the capacity search asks it where an SLO's limit lies.
// At a new rate the arrivals are those of the result's highest-rate stage
// (its jitter-corrected SCV), and the kind is the one Analyze would give a
// stage of those arrivals under the recognised mechanism (model.kindFor: a
// queue timeout's +D kinds, a token bucket's); a simulated model uses the
// same seed at every rate, so its curves are smooth in λ.
package analysis
