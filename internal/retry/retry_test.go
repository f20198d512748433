package retry

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

func TestParseSet(t *testing.T) {
	for _, tc := range []struct {
		in, back string
		yes, no  []int
		errs     []string
		bad      bool
	}{
		{in: "503", back: "503", yes: []int{503}, no: []int{500, 429, 200}},
		{in: "503, 429,5xx,timeout", back: "429,5xx,timeout", yes: []int{429, 500, 599, 503}, no: []int{404, 200}, errs: []string{"timeout"}},
		{in: "reset,connect", back: "reset,connect", no: []int{503}, errs: []string{"reset", "connect"}},
		{in: "4XX", back: "4xx", yes: []int{400, 499}, no: []int{500}},
		{in: "", bad: true},
		{in: "503,", bad: true},
		{in: "600", bad: true},
		{in: "99", bad: true},
		{in: "6xx", bad: true},
		{in: "eof", bad: true},
	} {
		s, err := ParseSet(tc.in)
		if tc.bad {
			if err == nil {
				t.Errorf("ParseSet(%q) = %v, want an error", tc.in, s)
			}
			continue
		}
		if err != nil {
			t.Fatalf("ParseSet(%q): %v", tc.in, err)
		}
		if got := s.String(); got != tc.back {
			t.Errorf("ParseSet(%q).String() = %q, want %q", tc.in, got, tc.back)
		}
		for _, c := range tc.yes {
			if !s.Status(c) {
				t.Errorf("%q: %d not retried", tc.in, c)
			}
		}
		for _, c := range tc.no {
			if s.Status(c) {
				t.Errorf("%q: %d retried", tc.in, c)
			}
		}
		for _, e := range []string{"timeout", "reset", "connect", "other", "canceled"} {
			want := false
			for _, w := range tc.errs {
				want = want || w == e
			}
			if s.Error(e) != want {
				t.Errorf("%q: Error(%q) = %v, want %v", tc.in, e, !want, want)
			}
		}
	}
	if s := (Set{}); s.Status(-1) || s.Status(1000) || !s.Empty() {
		t.Error("zero set")
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in string
		d  time.Duration
		ok bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0", 0, true},
		{"99999999999999999999999", 24 * time.Hour, true},
		{"Wed, 02 Dec 2026 12:00:05 GMT", 5 * time.Second, true}, // IMF-fixdate
		{"Wednesday, 02-Dec-26 12:01:00 GMT", time.Minute, true}, // RFC 850
		{"Wed Dec  2 12:00:03 2026", 3 * time.Second, true},      // asctime
		{"Wed, 02 Dec 2026 11:00:00 GMT", 0, true},               // past
		{"Wed, 02 Dec 2027 12:00:00 GMT", 24 * time.Hour, true},  // far: capped
		{"", 0, false}, {"-1", 0, false}, {"1.5", 0, false}, {"1s", 0, false}, {"soon", 0, false},
	} {
		d, ok := ParseRetryAfter(tc.in, now)
		if d != tc.d || ok != tc.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tc.in, d, ok, tc.d, tc.ok)
		}
	}
}

func TestDelay(t *testing.T) {
	p := Default()
	p.BackoffMin, p.BackoffMax = 100*time.Millisecond, time.Second
	// Full jitter: u in [0,1) scales the ceiling min(MAX, MIN·2ⁿ⁻¹).
	for _, tc := range []struct {
		n    int
		u    float64
		want time.Duration
	}{
		{1, 0.5, 50 * time.Millisecond},
		{2, 0.5, 100 * time.Millisecond},
		{3, 0.5, 200 * time.Millisecond},
		{4, 0.5, 400 * time.Millisecond},
		{5, 0.5, 500 * time.Millisecond}, // 1.6 s capped at 1 s
		{200, 0.5, 500 * time.Millisecond},
		{1, 0, 0},
		{1, 2, 100*time.Millisecond - 1}, // u clamped below 1
	} {
		if got := p.Delay(tc.n, tc.u, 0, false); got != tc.want {
			t.Errorf("Delay(%d, %g) = %v, want %v", tc.n, tc.u, got, tc.want)
		}
	}
	// Honoured: at least Retry-After, capped at RetryAfterMax.
	if got := p.Delay(1, 0.5, time.Second, true); got != time.Second {
		t.Errorf("honoured 1 s: %v", got)
	}
	p.RetryAfterMax = 2 * time.Second
	if got := p.Delay(1, 0.5, time.Hour, true); got != 2*time.Second {
		t.Errorf("honoured 1 h capped at 2 s: %v", got)
	}
	p.HonorRetryAfter = false
	if got := p.Delay(1, 0.5, time.Second, true); got != 50*time.Millisecond {
		t.Errorf("ignored: %v", got)
	}
}

func TestParsers(t *testing.T) {
	if lo, hi, err := ParseBackoff("10ms..20ms"); err != nil || lo != 10*time.Millisecond || hi != 20*time.Millisecond {
		t.Errorf("ParseBackoff: %v %v %v", lo, hi, err)
	}
	for _, bad := range []string{"", "10ms", "20ms..10ms", "0..1s", "x..1s", "1s..", "-1s..1s"} {
		if _, _, err := ParseBackoff(bad); err == nil {
			t.Errorf("ParseBackoff(%q): no error", bad)
		}
	}
	if v, err := ParseBudget("20%"); err != nil || v != 20 {
		t.Errorf("ParseBudget: %v %v", v, err)
	}
	for _, bad := range []string{"", "%", "-1%", "NaN", "2000%", "x"} {
		if _, err := ParseBudget(bad); err == nil {
			t.Errorf("ParseBudget(%q): no error", bad)
		}
	}
	if h, err := ParseHonor("ignore"); err != nil || h {
		t.Errorf("ParseHonor(ignore): %v %v", h, err)
	}
	if _, err := ParseHonor("sometimes"); err == nil || !strings.Contains(err.Error(), "honor or ignore") {
		t.Errorf("ParseHonor(sometimes): %v", err)
	}
}

func TestPolicyCheck(t *testing.T) {
	on, _ := ParseSet("503")
	good := Default()
	good.On, good.Max = on, 3
	if err := good.Check(); err != nil || !good.Enabled() {
		t.Fatalf("good policy: %v", err)
	}
	for name, mut := range map[string]func(*Policy){
		"negative max": func(p *Policy) { p.Max = -1 },
		"nothing on":   func(p *Policy) { p.On = Set{} },
		"zero backoff": func(p *Policy) { p.BackoffMin = 0 },
		"max < min":    func(p *Policy) { p.BackoffMax = p.BackoffMin - 1 },
		"budget":       func(p *Policy) { p.BudgetPercent = -1 },
	} {
		p := good
		mut(&p)
		if p.Check() == nil {
			t.Errorf("%s: no error", name)
		}
	}
	if Default().Enabled() {
		t.Error("the default policy retries")
	}
}

// TestBudgetAgainstAlways503 is the acceptance in miniature: every
// first attempt fails and asks for retries; the retries allowed stay within
// P% of the first attempts (plus nothing: the bucket starts empty), and
// every refusal is counted.
func TestBudgetAgainstAlways503(t *testing.T) {
	for _, pct := range []float64{0, 1, 10, 20, 50, 100, 250} {
		b := NewBudget(pct)
		r := rand.New(rand.NewPCG(1, uint64(pct)))
		var first, asked int64
		now := time.Duration(0)
		for range 20000 {
			now += time.Duration(r.ExpFloat64() * float64(time.Millisecond)) // 1000/s, Poisson
			b.Deposit(now)
			first++
			for range 3 { // --retry-max 3, all answered 503
				asked++
				if !b.Withdraw(now) {
					break
				}
			}
		}
		allowed := int64(pct / 100 * float64(first))
		if b.Spent() > allowed {
			t.Errorf("%g%%: %d retries allowed, more than %g%% of %d first attempts (%d)", pct, b.Spent(), pct, first, allowed)
		}
		// The budget is used, not merely respected: with three asks per
		// request it runs dry, so what it allows is within one request's
		// asks of the share (rounding of the deposit to milli-tokens aside).
		if pct <= 100 && b.Spent() < allowed-3 {
			t.Errorf("%g%%: only %d retries allowed of a share of %d", pct, b.Spent(), allowed)
		}
		if b.Spent()+b.Denied() > asked || b.Denied() == 0 && pct < 300 {
			t.Errorf("%g%%: spent %d + denied %d against %d asked", pct, b.Spent(), b.Denied(), asked)
		}
	}
}

// TestBudgetWindow: deposits older than 10 s stop counting, so a long quiet
// spell does not bank a burst, and the balance never exceeds the last 10 s
// of deposits.
func TestBudgetWindow(t *testing.T) {
	b := NewBudget(50)
	for i := range 100 { // 100 first attempts in the first second: 50 tokens
		b.Deposit(time.Duration(i) * 10 * time.Millisecond)
	}
	if got := b.Tokens(); got != 50 {
		t.Fatalf("after 100 deposits at 50%%: %g tokens, want 50", got)
	}
	if !b.Withdraw(5 * time.Second) {
		t.Fatal("a retry 5 s later was denied")
	}
	if b.Withdraw(11*time.Second) || b.Tokens() != 0 {
		t.Errorf("a retry 11 s after the deposits was allowed (%g tokens left)", b.Tokens())
	}
	// A jump of more than the whole ring clears it.
	b.Deposit(time.Hour)
	if b.Tokens() != 0.5 {
		t.Errorf("one deposit an hour later: %g tokens, want 0.5", b.Tokens())
	}
}
