package placeholder

import "github.com/bploadgen/bploadgen/internal/dist"

// Streams keep the independent random quantities of one arrival apart:
// Draw(seed, stream, seq) for two different streams are unrelated.
const (
	StreamUUID   uint64 = 1 // and StreamUUID+1: the UUID's two halves
	StreamChoose uint64 = 3 // which request of a mix an arrival gets (internal/mix)
	StreamRow    uint64 = 4 // the data row of a random order (internal/mix)
	// StreamRetry+n is the backoff jitter of an arrival's n-th retry (n
	// from 1, at most 1<<16): u = Float(Draw(seed, StreamRetry+n, seq)),
	// the draw retry.Policy.Delay takes (client retries, issue #17).
	StreamRetry uint64 = 1 << 16
	streamDraws uint64 = 1 << 32
)

const gamma = 0x9e3779b97f4a7c15 // SplitMix64's increment, 2^64/φ

// Draw returns 64 random bits for (seed, stream, seq): a pure function, so
// any shard or goroutine gets the same bits for the same arrival. It is
// SplitMix64 (Steele, Lea & Flood, OOPSLA 2014) keyed by the seed and the
// stream, at counter seq.
func Draw(seed, stream, seq uint64) uint64 {
	key := dist.Mix64(seed ^ dist.Mix64(stream*gamma+gamma))
	return dist.Mix64(key + (seq+1)*gamma)
}

// Float returns a uniform float64 in [0, 1) from 64 random bits.
func Float(bits uint64) float64 { return float64(bits>>11) / (1 << 53) }
