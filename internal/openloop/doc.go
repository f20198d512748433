// Package openloop is bploadgen's engine: it sends requests at the times a
// schedule.Schedule plans, whatever the target does, and records what
// happened without coordinated omission.
//
// Contracts:
//   - Sending follows the plan. The dispatcher never waits for a response;
//     a request that cannot start because --max-in-flight requests are
//     already in flight is counted as not_sent at once (never queued inside
//     the generator, which would turn the open loop into a closed one).
//   - Latency is measured from the intended send time; service time from the
//     actual send; send lag is their difference.
//   - Every scheduled request ends in exactly one of: a status code, an
//     error class, or not_sent.
//   - Recording uses HDR histograms: dense ones per stage, sparse (packed)
//     ones per 1-second window that are encoded and released as soon as the
//     window's requests have all finished, so memory does not grow with the
//     run's length beyond one small row per second.
//   - In-flight is integrated exactly: each request adds its own interval
//     [actual send, completion], clipped to each stage and window, to their
//     area, so in_flight_mean is the exact time average (what Little's law needs).
//
// The clock is the engine's (Config.Clock); tests run it inside
// testing/synctest with an in-memory Doer, where time is virtual.
package openloop
