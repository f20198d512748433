package retry

import (
	"testing"
	"time"
)

func FuzzParsers(f *testing.F) {
	for _, s := range []string{"503", "5xx,timeout", "Wed, 02 Dec 2026 12:00:05 GMT", "100ms..5s", "20%", "", "\x00", "99999999999999999999"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if set, err := ParseSet(s); err == nil {
			again, err := ParseSet(set.String())
			if err != nil || again != set {
				t.Errorf("ParseSet(%q) does not read back its String %q: %v", s, set.String(), err)
			}
		}
		if d, ok := ParseRetryAfter(s, now); ok && (d < 0 || d > maxRetryAfter) {
			t.Errorf("ParseRetryAfter(%q) = %v out of [0, 24h]", s, d)
		}
		if lo, hi, err := ParseBackoff(s); err == nil && (lo <= 0 || hi < lo) {
			t.Errorf("ParseBackoff(%q) = %v..%v", s, lo, hi)
		}
		if v, err := ParseBudget(s); err == nil && (v < 0 || v > 1000) {
			t.Errorf("ParseBudget(%q) = %v", s, v)
		}
		_, _ = ParseHonor(s)
	})
}
