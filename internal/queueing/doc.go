// Package queueing is the queueing-theory formula sheet of bploadgen as pure
// functions: Erlang B and C, M/M/c and M/M/c/K distributions, G/G/c mean-wait
// approximations (Kingman, Allen–Cunneen, Whitt), a seeded discrete-event
// simulator of G/G/c/K, the bounds on K that sizing reads, and the
// statistics (batch means, quantile sample sizes) needed to judge agreement
// honestly. The distributions it samples and integrates are internal/dist's,
// the one package of ours it imports. It writes no words for people: the
// recommendation built on it is internal/sizing, and numbers are formatted
// by internal/numfmt.
//
// Units: rates are per second, times are seconds (float64). No I/O, no
// clocks; randomness only through a *rand.Rand passed in. Every formula's
// source is named beside it and in its test (docs/queueing.md).
//
// One concept per file:
//
//	erlang.go      ErlangB, ErlangC (stable recursions)
//	mmc.go         MMC: M/M/c waits, responses and their quantiles
//	mmck.go        MMCK: M/M/c/K in log space, blocking, admitted-request quantiles
//	reneging.go    MMCD: M/M/c+D, a queue timeout (Baccelli–Hebuterne, Boots–Tijms)
//	tokenbucket.go token-bucket rate limits: the 1 − R/λ floor, evenly spaced arrivals
//	poisson.go     the Poisson-mixture series behind the incomplete gamma sums
//	gg.go          GG moments; Kingman, AllenCunneen, KLB, Whitt, Sakasegawa
//	gim1.go        GIM1: exact GI/M/1 (D/M/1)
//	ggctail.go     GGcApprox: the G/G/c response-time tail heuristic
//	sim.go         Simulate: G/G/c/K (+ a queue timeout, + a token bucket) with batch-means intervals
//	stats.go       Estimate, BatchMeans, StudentT, SamplesForQuantile, QuantileCI, Wilson, RelaxationTimeMM1
//	staffing.go    Halfin–Whitt square-root staffing, ErlangCStaffing
//	bounds.go      MinBlockK, ErlangPlusExpTail: the §6.2 bounds on K
//	search.go      SearchMin: the least integer meeting a monotone predicate
//	knee.go, usl.go  Kneedle knee detection, Universal Scalability Law fit
//
// K is always the system capacity INCLUDING the c requests in service; a
// server with c workers and Q waiting slots has K = c + Q.
package queueing
