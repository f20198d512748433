package report

import (
	"bytes"
	"io"
	"math"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// FuzzRenderResult: whatever a result file says (`report RESULT.json`
// reads any file), every renderer writes it or returns an error, and none
// panics.
func FuzzRenderResult(f *testing.F) {
	seeds := mergetest.Seeds()
	for _, b := range seeds {
		f.Add(b)
	}
	// Latencies at the top of float64: widening a log axis overflowed to
	// +Inf and logTicks never ended.
	huge, err := result.Read(bytes.NewReader(seeds[0]))
	if err != nil {
		f.Fatal(err)
	}
	for i := range huge.Timeline {
		huge.Timeline[i].P99S, huge.Timeline[i].MaxS = 1.7e308, math.MaxFloat64
	}
	var b bytes.Buffer
	if err := result.Write(&b, huge); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"schema":"bploadgen.result/v1","stages":[{"index":1,"end_s":-1,"sent":-5,"status":{"":1}}],"timeline":[{"t_s":-1e308,"duration_s":0}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := result.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, render := range []func(io.Writer, *result.Result) error{
			Text, WriteHTML, WriteMarkdown, WriteJUnit, WriteCSV, WriteHLog, WriteRequestsCSV, Reading,
		} {
			_ = render(io.Discard, r)
		}
	})
}
