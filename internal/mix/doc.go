// Package mix is the request set of a run (docs/profile.md, "Request
// mixes"): the requests of a profile's `requests:` (or of a targets file, or
// of a replayed log), compiled once with their placeholders; which request
// each arrival gets; which data row it reads; and the bytes of the request
// it sends.
//
// Every choice is a pure function of (seed, seq), seq being the arrival's
// 0-based index in the whole plan: never of the arrival time, of the order
// in which arrivals are rendered, or of the shard. So Poisson arrivals stay
// Poisson per request (an independent thinning), and a shard renders for its
// arrivals exactly what the whole plan would.
//
// The data flow: profile (or the targets and replay parsers of this
// package) → Build → Set; the engine asks the Set, per arrival, for the
// request index (Choose) and its bytes (AppendHTTP1, or Parts for a client
// that builds its own request), and records by Set.NameOf the request's
// name index: at most MaxNames names plus "other".
package mix
