package openloop

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestRequestLogNames: with a name function the log gains a last column,
// request, quoted as CSV quotes it, so a name with a comma or a quote
// reads back whole; a not-sent row has it too.
func TestRequestLogNames(t *testing.T) {
	var b strings.Builder
	names := []string{"home", `GET /a,b`, `say "hi"`}
	l := NewRequestLog(&b, func(seq int64) string { return names[seq] })
	for i := range names {
		a := schedule.Arrival{Seq: int64(i), At: time.Duration(i) * time.Millisecond}
		var r *Response
		if i < 2 {
			r = &Response{Status: 200}
		}
		l.Record(a, a.At, a.At+time.Millisecond, r)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(b.String())).ReadAll()
	if err != nil {
		t.Fatalf("%v in\n%s", err, b.String())
	}
	if strings.Join(rows[0], ",")+"\n" != RequestLogHeader[:len(RequestLogHeader)-1]+",request\n" || len(rows) != 4 {
		t.Fatalf("rows %q", rows)
	}
	for i, name := range names {
		if got := rows[i+1][len(rows[i+1])-1]; got != name || len(rows[i+1]) != len(rows[0]) {
			t.Errorf("row %d: %q, want %d fields ending %q", i, rows[i+1], len(rows[0]), name)
		}
	}
	if rows[3][len(rows[3])-2] != "not_sent" {
		t.Errorf("not-sent row %q", rows[3])
	}
}
