// Package queueing is the queueing-theory formula sheet of bploadgen as pure
// functions: Erlang B and C, M/M/c and M/M/c/K distributions, G/G/c mean-wait
// approximations (Kingman, Allen–Cunneen, Whitt), a seeded discrete-event
// simulator of G/G/c/K, sizing of workers and queue, and the statistics
// (batch means, quantile sample sizes) needed to judge agreement honestly.
//
// Units: rates are per second, times are seconds (float64). No I/O, no
// clocks; randomness only through a *rand.Rand passed in. Every formula's
// source is named beside it and in its test (shared/queueing.md).
package queueing
