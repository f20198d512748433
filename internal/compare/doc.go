// Package compare puts two bploadgen results side by side (BASE and NEW)
// for regression gates: per stage and for the whole run, the key metrics,
// their differences, a verdict per metric, and difference assertions.
//
// # Rows
//
// p50 p90 p99 max mean (response time from the intended send time),
// 2xx.p99, service.p99, rps (2xx per second), achieved (sent/scheduled),
// ratio(503) ratio(5xx) ratio(errors) ratio(not_sent) (fractions of the
// scheduled requests). Values are read by assert.MetricValue, so they are
// exactly what `run --assert` sees. Stages are matched by index; results
// of different plans with the same number of stages are compared stage by
// stage with a warning, results with different numbers of stages by the
// whole run only. Warnings also say when the runs differ in target,
// arrivals, client or protocol, or client retries (with retries a stage
// counts logical requests), or when either is a shard, interrupted or
// limited by its generator.
//
// When both results break their traffic down by request (by_request), each
// name they share gets a section of the same rows over the whole run,
// "request NAME" (Report.Requests). Its noise has no batch means (a
// request has no timeline windows), and its verdicts are shown but do not
// make the report's verdict. Difference assertions take no request scope.
//
// # Verdicts
//
// A difference is "regression" or "improvement" (by the metric's better
// direction) only when it exceeds its noise band, else "no significant
// change"; "no data" when either run has none. The band is the larger of a
// sampling error and a relative floor:
//
//   - percentiles: each run's distribution-free 95% confidence interval of
//     the percentile from order statistics (ranks np ∓ 1.96√(np(1−p)),
//     docs/queueing.md §8), read from the HDR histogram; the change counts
//     when the two intervals are disjoint (about a 0.6% test for equal
//     widths), and when it exceeds TimeBand (default 5%) of the base. The
//     floor is there because latencies from a queue are autocorrelated:
//     docs/queueing.md §8 measures a variance inflation of 230× over iid near
//     saturation, which no single run can estimate, and run-to-run noise of
//     a loaded host is of the order of a few percent.
//   - mean: 3 standard errors of the difference (iid, from the histograms'
//     standard deviations), and at least TimeBand.
//   - max: a single sample has no sampling error to judge it by: shown, not
//     judged (gate it with an assertion if it matters).
//   - ratios and achieved: 3 standard errors of the difference, the larger
//     of the pooled binomial error and a batch-means error over the
//     timeline windows of the scope (5 to 20 contiguous batches), which sees
//     the burstiness of rejections that a binomial error misses
//     (docs/queueing.md §8: "do not use a binomial interval for the 503 ratio").
//   - rps: 3 standard errors (batch means over the windows, or the Poisson
//     error √n/T), and at least RateBand (default 1%, the achieved-rate
//     tolerance of docs/queueing.md §8).
//
// With about a dozen rows per stage the levels are strict on purpose: a
// table should rarely show a false alarm.
//
// # Difference assertions
//
// The grammar is `run --assert`'s (assert.Scan reads the metric, operator
// and scope), with a signed value and no window scopes:
//
//	assertion = metric op signed-value [ "in" scope ] .
//	metric    = as in `run --assert`: p99, service.p99, 2xx.p99, mean, max,
//	            ratio(503), ratio(5xx), rps, achieved ...
//	op        = "<" | "<=" | ">" | ">=" .                   ("≤" and "≥" too)
//	signed-value = ( "+" | "-" ) decimal [ unit ] .
//	scope     = "run" | "stage" N | "each" "stage" .      (default run; "stage2" too)
//
// The sign is required: a compare assertion bounds the difference NEW −
// BASE, and `p99 < 250ms` would read like a bound on p99 itself.
//
//   - Times: "+10%" bounds the relative change (NEW−BASE)/BASE < 0.10;
//     "+5ms" (any Go duration unit) bounds the absolute difference.
//   - Ratios and achieved: "+0.5%" and "+0.5pp" are PERCENTAGE POINTS, an
//     absolute difference of 0.005 (ratio(503) from 1% to 1.4% is +0.4pp,
//     within +0.5%, although it grew by 40%); a plain number is a fraction
//     (+0.005). There is no relative bound for ratios: a relative change of
//     a tiny ratio means little.
//   - rps: "-5%" bounds the relative change, a plain number the absolute
//     difference in requests per second.
//
// Examples: `p99 < +10%`, `p99 < +5ms in each stage`, `ratio(503) < +0.5%`,
// `rps > -5%`, `achieved >= -0.1pp`. A relative bound over a base of 0 sees
// an infinite change (passing only lower bounds); no data on either side
// fails the check with a note.
//
// Capacities compares two capacity searches instead (capacity.go): by the
// brackets their capacities lie in, disjoint or not.
package compare
