package result

import (
	"strings"
	"testing"
)

// TestGeneratorLimit: the clause names the cause: requests not sent
// (counted), or all sent but late; nothing when the generator kept up.
func TestGeneratorLimit(t *testing.T) {
	for _, tc := range []struct {
		limited          bool
		sched, notSent   int64
		want, wantAbsent string
	}{
		{true, 12000, 1500, "1,500 of 12,000 requests were not sent", "every request was sent"},
		{true, 12000, 0, "every request was sent, some late", "not sent"},
		{false, 12000, 0, "", ""},
	} {
		r := &Result{GeneratorLimited: tc.limited}
		r.Total.Scheduled, r.Total.NotSent = tc.sched, tc.notSent
		got := r.GeneratorLimit()
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) || tc.wantAbsent != "" && strings.Contains(got, tc.wantAbsent) {
			t.Errorf("limited %v, %d of %d not sent: %q", tc.limited, tc.notSent, tc.sched, got)
		}
	}
}
