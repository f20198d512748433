package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestGeneratorLimitedSaid: the reading and the HTML say how the generator
// bounded the load, by its cause: requests not sent (the target was
// offered less), or all sent but late (the target saw bursts; nothing is
// understated); nothing when it did not.
func TestGeneratorLimitedSaid(t *testing.T) {
	for _, tc := range []struct {
		name    string
		limited bool
		notSent int64
		want    string
	}{
		{"not sent", true, 7, "7 of "},
		{"late", true, 0, "every request was sent, some late"},
		{"neither", false, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := loadFixture(t)
			r.GeneratorLimited, r.Total.NotSent = tc.limited, tc.notSent
			var h, rd bytes.Buffer
			if err := WriteHTML(&h, r); err != nil {
				t.Fatal(err)
			}
			if err := Reading(&rd, r); err != nil {
				t.Fatal(err)
			}
			for what, out := range map[string]string{"reading": rd.String(), "HTML": h.String()} {
				said := strings.Contains(out, "itself limited the load") || strings.Contains(out, "fell behind its schedule (see the warnings)")
				if tc.want == "" && said || tc.want != "" && !strings.Contains(out, tc.want) {
					t.Errorf("%s: want %q said:\n%s", what, tc.want, out)
				}
				if strings.Contains(out, "understate") {
					t.Errorf("%s still says the numbers understate the load", what)
				}
			}
		})
	}
}

// TestShapePhraseDelayingLimit: a rate limit that delays is said as such
// in the reading's theory line, not as a token bucket (which delays none).
func TestShapePhraseDelayingLimit(t *testing.T) {
	q := 29
	a := &result.Analysis{Shedding: &result.Shedding{Mechanism: "rate-limit", RateRPS: 303, Queue: &q}}
	if got, want := shapePhrase(a), "a rate limit of 303 requests/s that delays up to 29"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	a.Shedding.Queue = nil
	if got := shapePhrase(a); !strings.HasPrefix(got, "a token bucket of") {
		t.Errorf("nodelay: %q", got)
	}
}
