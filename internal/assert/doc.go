// Package assert is bploadgen's one gate grammar: it parses the gates of
// `--assert` and of a profile's `assert:` list, and evaluates them against a
// result (docs/cli.md, "Assertions"). The other gates are built on
// the same scanner: Scan splits METRIC OP VALUE [in SCOPE] and reads the
// metric, operator and scope, and a Form names the value and says whether
// window scopes are taken, so `compare` reads its signed differences
// ("p99 < +10% in stage 2") and `size` its SLO ("p99<50ms") with the same
// metrics, operators, scopes and numbers. The numbers are scanned here too:
// IsDecimal, ParseDecimal and ParseFraction (fractions and percentages,
// the decimal point moved exactly by ShiftPoint).
//
// A program that judges one stage at a time (a capacity search) parses a
// gate with Parse and reads its verdict on a stage with Expr.Check.
//
// # Grammar
//
// Keywords are case-insensitive; whitespace is optional around the operator
// and inside ratio( ), and a number may be separated from its unit
// ("250 ms") or its sign ("+ 10%", for compare); "in" must stand alone
// before a scope.
//
//	assertion = metric op value [ "for" request ] [ "in" scope ] .   ("for" may also follow the scope)
//	metric    = time | "ratio(" class ")" | "rps" | "achieved" | "goodput" | "amplification" .
//	time      = [ "service." | "2xx." ] stat .
//	stat      = "p" decimal | "min" | "max" | "mean" .      (0 < percentile < 100)
//	class     = code | digit "xx" | "errors" | "not_sent" | error-class .
//	code      = three digits, 100 to 599 .
//	error-class = "timeout" | "connect" | "reset" | "other" | "canceled" .
//	op        = "<" | "<=" | ">" | ">=" .                   ("≤" and "≥" too)
//	value     = duration | decimal [ "%" ] .
//	duration  = a Go duration: decimal unit { decimal unit }, unit one of
//	            ns us µs ms s m h .
//	scope     = "run" | "stage" integer | "each" "stage" | "each" duration .
//	request   = a word | '"' any text without '"' '"' .      (a name of by_request)
//	decimal   = digits [ "." digits ] | "." digits .        (no sign, no exponent)
//
// # Metrics
//
//	p50 p90 p95 p99 p99.9 p99.99 (any pX), min, max, mean
//	    response time from the INTENDED send time, over the requests that
//	    got an HTTP response (latency_s); seconds.
//	service.p99 ...   the same from the ACTUAL send time (service_time_s).
//	2xx.p99 ...       the response time of 2xx responses only (latency_2xx_s);
//	                  an extension of the spec.
//	ratio(CLASS)      the requests in CLASS as a fraction of the SCHEDULED
//	                  requests (result.Count): a code ("503"), a status class
//	                  ("5xx"), "errors" (every transport error), an error class
//	                  ("timeout"), or "not_sent".
//	rps               2xx responses per second (throughput_rps).
//	achieved          sent / scheduled, a fraction.
//	goodput           logical requests that ended 2xx, per second (the
//	                  stage's goodput_rps under client retries; otherwise,
//	                  and in a window scope, the same count as rps: each
//	                  request's final outcome once).
//	amplification     attempts sent ÷ requests scheduled (client retries);
//	                  in a window scope the attempts sent in the windows by
//	                  their own intended times ÷ the requests scheduled
//	                  there. Without attempt counts (no retries, or a
//	                  request scope) the gate fails with a Note.
//
// Thresholds: a time needs a duration with a unit (250ms, 1.5s, 800us),
// at most 1h, the longest time a histogram records; a ratio or achieved
// needs a fraction in [0, 1] or a percentage up to 100% (0.01, 1%); rps,
// goodput and amplification need a plain number. Negative, NaN and infinite thresholds are errors.
// Expr.Value holds seconds, a fraction, or a rate.
//
// # Scopes and the parts they evaluate
//
// Each evaluated part is one result.Assertion whose Scope is:
//
//	run                      the whole run (the default; result.Total)
//	stage N                  stage N, 1-based; also every part of "each stage"
//	window 20s-30s           one part of "each 10s": seconds from the start
//	each stage, each 10s     the single failed part of an "each" scope with
//	                         nothing scheduled anywhere
//
// "each 10s" groups the 1-second timeline windows by the group in which each
// window's start t_s falls (group k covers [k·10s, (k+1)·10s)); a group
// merges its windows exactly, decoding and adding their HDR histograms and
// summing their counters. The window length must be a positive whole number
// of seconds. A group's length, used by rps, runs to the end of its last
// window with scheduled requests, so the last, partial group of a run is
// evaluated too, over its real length ("window 20s-25s").
//
// A request scope (`p99 < 100ms for checkout`, `for "GET /search" in each
// stage`) reads the same metrics from the request's record in each part's
// by_request (result.RequestStats, its own histograms) and sets
// result.Assertion.Request. It takes run, stage N and each stage; a window
// scope is refused (requests have no per-window histograms). A result
// without by_request fails the gate with the Note "the result has no
// breakdown by request", a name it lacks with a Note listing its names;
// ValidateRequests refuses unknown names before a run.
//
// Parts of "each stage" and "each Ns" with nothing scheduled are skipped; if
// that leaves no part at all, the assertion yields one failed part with the
// Note "nothing scheduled".
//
// # Verdicts without data
//
// A gate never passes on no data, whatever its operator:
//
//   - nothing scheduled in the scope: fail, Note "nothing scheduled";
//   - a time metric with no responses in scope (every request timed out, say):
//     fail, Note "no responses" ("no 2xx responses" for 2xx.*);
//   - `stage N` beyond the result's stages: fail, Note "no stage N in the
//     result"; Validate rejects it before a run;
//   - responses whose histogram is missing from the result: a stage falls
//     back to its summary fields (p50 ... p99.99, min, max, mean); a window
//     group falls back to a window's p50_s/p90_s/p99_s/max_s/mean_s only when
//     it is the group's only window with responses; otherwise the part fails
//     with a Note that says the histogram is missing, rather than report a
//     percentile of part of the data.
//
// Percentiles, min, max and mean come from the HDR histograms (3 significant
// digits, result.Quantile), so they are the same numbers the result's
// summaries show, and window merges are exact. Times are compared in
// seconds computed as ns/1e9 on both sides, so a threshold equal to an
// observed value compares equal.
package assert
