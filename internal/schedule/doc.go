// Package schedule computes when each request of a run is meant to be sent.
// It is pure: given the stages, the arrival process, a seeded *rand.Rand and
// the shard, Next returns the same intended send times every time, each
// computed from the run's start (never by adding up sleeps), so nothing
// drifts however long the run.
//
// Both processes are built on the cumulative planned rate
// Λ(t) = ∫₀ᵗ λ(u) du (the expected number of arrivals by t):
//
//   - uniform: the i-th arrival (i = 0, 1, …) is at Λ⁻¹(i) — evenly spaced
//     at the planned rate, also through ramps;
//   - poisson: a unit-rate Poisson process s₁ < s₂ < … (gaps Exp(1)) mapped
//     through Λ⁻¹ — the time-rescaling construction of a non-homogeneous
//     Poisson process with rate λ(t) (Çinlar 1975; Brown et al. 2002,
//     "The time-rescaling theorem and its application to neural spike
//     train data analysis"). For a constant rate it is the usual
//     exponential-gap process.
//
// A third kind, Explicit (NewExplicit), takes the times themselves: a
// replayed log's arrivals, offsets from the start, with stages that are
// fixed windows of the replay, each at its own offered rate.
//
// Shards (run --shard I/N) partition the one planned stream: uniform
// arrival i belongs to shard (i mod N)+1; a Poisson arrival is given to a
// shard by a hash of (seed, index), an independent uniform thinning, so each
// shard is a Poisson process of rate λ(t)/N and the union of the N shards
// is exactly the schedule one process would run. Explicit arrivals are
// partitioned like uniform ones.
package schedule
