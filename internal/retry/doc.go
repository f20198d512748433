// Package retry is the client retry policy of issue #17, as pure functions:
// which outcomes are retried (Set), when the next attempt is due (Policy.Delay:
// exponential backoff with full jitter, or the server's Retry-After when it is
// honoured), how a Retry-After value reads (ParseRetryAfter: delay-seconds or
// an HTTP date, RFC 9110 §10.2.3), and the retry budget (Budget: a token
// bucket in the spirit of gRPC retry throttling and Finagle's RetryBudget).
//
// Contracts:
//   - No clock and no randomness of its own: times are durations from the
//     run's start passed in, and the jitter's uniform draw u ∈ [0, 1) is the
//     caller's (deterministic per request and attempt in the engine).
//   - Parsers never panic on any input and name what they expected; they use
//     no CLI flag names (the commands add them).
//   - Budget memory is fixed (a ring of 100 slots), whatever the run's length.
package retry
