package openloop

import (
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// A run that sent requests and got no response says so, with the
// commonest error and its first message; one answer is enough to say
// nothing.
func TestNoAnswerWarning(t *testing.T) {
	samples := &result.Samples{Errors: map[string]string{
		result.ErrConnect: "dial tcp: connection refused", result.ErrTimeout: "deadline"}}
	for _, tc := range []struct {
		name string
		st   result.Stage
		want []string // substrings; none: no warning
	}{
		{"refused", result.Stage{Sent: 5, Errors: map[string]int64{result.ErrConnect: 4, result.ErrTimeout: 1}},
			[]string{"no request was answered: all 5 sent ended in errors (timeout 1, connect 4)",
				"the first connect error: dial tcp: connection refused", "is the target up"}},
		{"timeouts", result.Stage{Sent: 2, Errors: map[string]int64{result.ErrTimeout: 2}},
			[]string{"(timeout 2); the first timeout error: deadline"}},
		{"one answer", result.Stage{Sent: 5, Status: map[string]int64{"503": 1}, Errors: map[string]int64{result.ErrConnect: 4}}, nil},
		{"nothing sent", result.Stage{NotSent: 3}, nil},
	} {
		got := noAnswer(&tc.st, samples)
		if len(tc.want) == 0 && got != "" {
			t.Errorf("%s: %q, want no warning", tc.name, got)
		}
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", tc.name, got, w)
			}
		}
		if tc.name == "timeouts" && strings.Contains(got, "is the target up") {
			t.Errorf("%s: %q asks whether the target is up", tc.name, got)
		}
	}
}
