package retry

import "time"

// Budget limits retries to a share of first attempts: each first attempt
// deposits Percent/100 of a token, each retry spends one whole token, and a
// retry that finds less than one token is denied. The bucket holds at most
// what was deposited in the last Window (10 s): the balance is capped at
// that windowed sum whenever time moves or a deposit is made, so a quiet spell does not bank an
// unbounded burst of retries and the cap follows the recent rate of first
// attempts (Finagle's RetryBudget lets deposits expire after a TTL for the
// same reason; gRPC's retry throttling caps its token count).
//
// Over a whole run, retries allowed ≤ Percent/100 × first attempts: every
// token spent was deposited first and the balance never goes below zero.
//
// Amounts are integer milli-tokens, so the arithmetic is exact. Times are
// durations from the run's start and must not go backwards by more than
// one slot (100 ms); the engine's clock never does.
type Budget struct {
	deposit int64 // milli-tokens per first attempt
	balance int64 // milli-tokens
	ring    [slots]int64
	head    int64 // index of the newest slot (time / slotLen)
	window  int64 // sum of ring: deposits of the last Window
	denied  int64
	spent   int64
}

const (
	// Window is how far back the deposits that cap the balance reach.
	Window  = 10 * time.Second
	slots   = 100
	slotLen = Window / slots
	whole   = 1000 // milli-tokens in a token
)

// NewBudget returns a budget where each first attempt deposits percent/100
// of a token; percent 0 denies every retry.
func NewBudget(percent float64) *Budget {
	return &Budget{deposit: int64(percent*whole/100 + 0.5)}
}

// advance moves the ring to the slot of now, dropping deposits older than
// Window from the windowed sum.
func (b *Budget) advance(now time.Duration) {
	s := int64(now / slotLen)
	if s <= b.head {
		return
	}
	for i := b.head + 1; i <= s && i <= b.head+slots; i++ {
		b.window -= b.ring[i%slots]
		b.ring[i%slots] = 0
	}
	b.head = s
	b.balance = min(b.balance, b.window)
}

// Deposit records a first attempt made at now.
func (b *Budget) Deposit(now time.Duration) {
	b.advance(now)
	b.ring[b.head%slots] += b.deposit
	b.window += b.deposit
	b.balance = min(b.balance+b.deposit, b.window)
}

// Withdraw asks for one retry at now: true spends a token, false (less than
// a token left) counts a denial.
func (b *Budget) Withdraw(now time.Duration) bool {
	b.advance(now)
	if b.balance < whole {
		b.denied++
		return false
	}
	b.balance -= whole
	b.spent++
	return true
}

// Denied is how many retries Withdraw refused; Spent how many it allowed.
func (b *Budget) Denied() int64 { return b.denied }

// Spent is how many retries Withdraw allowed.
func (b *Budget) Spent() int64 { return b.spent }

// Tokens is the balance in tokens (for reports and tests).
func (b *Budget) Tokens() float64 { return float64(b.balance) / whole }
