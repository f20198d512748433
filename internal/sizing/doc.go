// Package sizing recommends a server's worker count c and queue size for
// an offered rate, a service-time distribution and a latency SLO
// (docs: docs/queueing.md §6): the smallest c with utilisation ρ = λ·E[S]/c
// below 1 and the ceiling, for which some system capacity K = c + queue
// keeps the reject ratio at or under the limit and the SLO percentile of
// admitted requests at or under the SLO, with K inside the latency budget.
// The queue recommended is the smallest such K.
//
// Poisson arrivals with exponential service are solved exactly with the
// M/M/c/K formulas of internal/queueing; anything else by its seeded
// G/G/c/K simulator, with batch-means 95% intervals. Objectives that cannot
// be met are an answer (Result.Feasible false, Reason in plain words), not
// an error; invalid input is an error.
//
// Units: rates per second, times in seconds. Randomness only through the
// *rand.Rand passed to Size; no I/O. The words of reasons and notes are
// written with internal/numfmt, so they read like the rest of the output.
//
//	spec.go   Spec, SLO (SLOFrom a gate), validation
//	input.go  Input: a problem as a person gives it (size's flags), resolved into a Spec; ParseSLO
//	size.go   Result, Size: the search over c
//	answer.go Recommend: a sizing for how the server sheds (Size, Timeout, MaxRateForSLO)
//	exact.go  M/M/c/K candidates and bounds
//	sim.go    simulated candidates (common random numbers across K)
package sizing
