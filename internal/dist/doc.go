// Package dist holds the distributions of positive durations that bploadgen
// samples and reasons about: service times (exponential, deterministic,
// lognormal) and inter-arrival gaps (those three and gamma), as plain values
// with an injected random source, after gonum's stat/distuv.
//
// Units: seconds (float64) for means, samples, quantiles and tail points;
// rates per second. No I/O and no clock; randomness only through the
// *rand.Rand passed to Sample. Parse reads the "exp:10ms" spelling that the
// CLI and profiles use, and never panics.
//
// It is a leaf: it imports nothing of bploadgen's, so the formula sheet
// (internal/queueing), the built-in target (internal/targets) and the
// schedule can all use it without importing each other.
//
//	dist.go     Dist, Kind, Parse, String, SCV, Sample
//	time.go     ParseTime: a service time as the commands take it (10ms or exp:10ms)
//	fn.go       FromMeanSCV, Validate, Kendall, Tail, Quantile, ExpPlusTail, the standard normal
//	sampler.go  Sampler, Gamma, Interarrivals
//	quad.go     adaptive Simpson quadrature (for ExpPlusTail)
package dist
