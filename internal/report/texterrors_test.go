package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// The summary names the first error of each class that happened, on one
// line of its own, whatever the message holds.
func TestTextFirstErrors(t *testing.T) {
	r := loadFixture(t)
	r.Total.Errors = map[string]int64{result.ErrConnect: 3, result.ErrOther: 1}
	r.Samples = &result.Samples{Errors: map[string]string{
		result.ErrConnect: "dial tcp: connection refused",
		result.ErrOther:   "bad\nline \x1b[31m" + strings.Repeat("x", 300),
		result.ErrTimeout: "a class with no count: not shown",
	}}
	var b bytes.Buffer
	if err := Text(&b, r); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, "\n           first connect: dial tcp: connection refused\n") {
		t.Errorf("no first connect error line:\n%s", out)
	}
	i := strings.Index(out, "first other: ")
	if i < 0 {
		t.Fatalf("no first other error line:\n%s", out)
	}
	line, _, _ := strings.Cut(out[i:], "\n")
	if !strings.HasPrefix(line, "first other: bad\ufffdline \ufffd[31m") || !strings.HasSuffix(line, "…") || len([]rune(line)) > 220 {
		t.Errorf("other error line not one clean, cut line: %q", line)
	}
	if strings.Contains(out, "class with no count") {
		t.Error("a sample of a class with no count is shown")
	}
}
