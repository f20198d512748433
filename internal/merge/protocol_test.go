package merge

import (
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// TestMergeProtocols: the merged protocol lists every HTTP version the
// parts spoke, once and in order.
func TestMergeProtocols(t *testing.T) {
	for _, tt := range []struct {
		parts []string
		want  string
	}{
		{[]string{"HTTP/1.1", "HTTP/1.1"}, "HTTP/1.1"},
		{[]string{"HTTP/2.0", "", "HTTP/1.1"}, "HTTP/1.1, HTTP/2.0"},
		{[]string{"HTTP/1.1, HTTP/2.0", "HTTP/2.0"}, "HTTP/1.1, HTTP/2.0"},
		{[]string{"", ""}, ""},
	} {
		var rs []*result.Result
		for _, p := range tt.parts {
			rs = append(rs, &result.Result{Protocol: p})
		}
		if got := mergeProtocols(rs); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.parts, got, tt.want)
		}
	}
}
