// Package merge combines results recorded by several bploadgen processes
// (the shards of one plan, `run --shard I/N`, or whole runs of the same plan
// on several machines) into one result, exactly.
//
// Exact means: the merged percentiles are those of one HDR histogram holding
// every sample of every input (histograms are added bucket by bucket, never
// averaged), and every counter is the sum of the inputs' counters. What can
// not be exact is said so in the merged result's warnings and below.
//
// The rules, per field of the result (docs/result.md):
//
//   - Inputs must share schema, tool name, plan (profile and stages), target
//     (URL, method, headers, body size), arrival process and HDR geometry;
//     shards must agree on N and each index may appear once. Anything else is
//     refused with an *InputError naming the input and the differing field.
//     A result without a shard may be merged with itself: counts double and
//     percentiles stay.
//   - Stages (plan-relative, the same in every input) and the total: counters,
//     status and error maps, busy_s and offered_rps are summed; histograms are
//     added and re-summarised; achieved_rps and throughput_rps are recomputed
//     from the merged counts and the stage length; in_flight_mean is summed
//     (the time averages of the inputs' in-flight counts over the same
//     interval add up).
//   - in_flight_max is the SUM of the inputs' maxima: an upper bound of the
//     merged peak, since the inputs' peaks need not coincide. A warning says so
//     whenever more than one input had requests in flight.
//   - arrival_scv: the union stream's gaps were never observed, so its SCV
//     cannot be computed from per-input gap sums. The merged gap sums are the
//     pooled sums of the inputs' own gaps and arrival_scv is the pooled SCV of
//     those gaps: for equal-rate inputs, their mean SCV. This is Whitt's
//     asymptotic method for a superposition of streams (QNA, 1983), and exact
//     in distribution for Poisson shards (an independent thinning's union is
//     Poisson again, SCV 1). For uniform shards it holds only if they started
//     in phase: shards started with a skew bunch their arrivals, which no
//     input could see. A warning says so for merged uniform arrivals.
//   - server_timing: histograms added, sums added, SCV recomputed.
//   - by_request (each stage and total): per name, counts summed, the three
//     histograms added, summaries read from the sums, rates recomputed over
//     the merged stage's length. Inputs with and without a breakdown are
//     refused: a partial breakdown would be wrong.
//   - attempts (client retries, each stage and total): counts and maps
//     summed, the attempt latency histograms added; amplification and
//     goodput_rps recomputed from the merged counts; a window's attempt
//     counts are summed with the window. The inputs' retry_policy must be
//     equal, and inputs with and without retries are refused.
//   - Timeline: input window k covers [started_at + t_s, + duration_s) of wall
//     clock. The merged timeline starts at the earliest started_at, with the
//     inputs' window length; each window is added to the merged window whose
//     start is nearest to its own (round half up), so inputs started less
//     than half a window apart share windows exactly, and larger skews are
//     shown as they happened, with a warning. Merged windows sum counts and
//     in-flight means, add histograms, and hold the mean of the inputs'
//     scrape samples (they sampled the same target: its gauges do not add).
//   - started_at is the earliest start; elapsed_s runs from it to the latest
//     end; interrupted and generator_limited are true if any input's is;
//     max_in_flight is summed; warnings are kept, prefixed with the inputs
//     that reported them; samples keep the first seen per key; analysis is
//     dropped (`analyze` recomputes it); assertions are left empty for the
//     caller to re-evaluate on the merged data; shard is nil and merged lists
//     the shards (or, for inputs that are no shard, {index: position on the
//     command line, count: 0}).
//
// Concat is the other way of combining: stages recorded one after the
// other (a capacity probe's batches and extensions) become one stage whose
// length is the sum of theirs, so rates and in-flight means are
// length-weighted rather than added.
package merge
