package compare

import (
	"bytes"
	"io"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// FuzzCapacities: whatever two capacity documents say, Capacities returns
// a report that renders as text and as JSON (no NaN or infinity), and
// never panics.
func FuzzCapacities(f *testing.F) {
	doc := func(pass, fail string) []byte {
		return []byte(`{"schema":"` + result.CapacitySchema + `","target":{"url":"http://127.0.0.1:8080/"},"slo":["p99 < 100ms"],` +
			`"capacity_rps":` + pass + `,"bracket":{"pass_rps":` + pass + `,"fail_rps":` + fail + `},"stopped_because":"precision","backpressure":{"verdict":"holds"}}`)
	}
	f.Add(doc("288", "298"), doc("623", "641"))
	f.Add(doc("0", "100"), doc("1e308", "0"))
	f.Add(doc("-1e308", "5"), doc("1e308", "-3"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		base, err := result.ReadCapacity(bytes.NewReader(a))
		if err != nil {
			return
		}
		next, err := result.ReadCapacity(bytes.NewReader(b))
		if err != nil {
			return
		}
		rep := Capacities(base, next)
		for _, write := range []func(io.Writer) error{rep.WriteText, rep.WriteJSON} {
			if err := write(io.Discard); err != nil {
				t.Fatalf("capacity comparison does not render: %v", err)
			}
		}
	})
}
