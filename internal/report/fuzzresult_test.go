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

// FuzzRenderCapacity: whatever a capacity search's document says
// (`report CAPACITY.json` reads any file), every renderer writes it or
// returns an error, and none panics.
func FuzzRenderCapacity(f *testing.F) {
	var b bytes.Buffer
	if err := result.WriteCapacity(&b, capacityFixture()); err != nil {
		f.Fatal(err)
	}
	f.Add(b.Bytes())
	f.Add([]byte(`{"schema":"bploadgen.capacity/v1","capacity_rps":-1,"bracket":{"pass_rps":1e308,"fail_rps":-0},"probes":[{"rate_rps":-5,"verdict":"pass","slo_checks":[{"expr":"","unit":"s","value":1e308,"ci_high":-1}],"stage":{"index":-1,"end_s":-1}}],"predicted":{"rate_rps":1e308,"band_low_rps":-1},"overload":[{"multiple":0,"checks":[{}]}],"backpressure":{"verdict":"","checks":[]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := result.ReadCapacity(bytes.NewReader(data))
		if err != nil {
			return
		}
		c.Redact(nil)
		for _, render := range []func(io.Writer, *result.Capacity) error{
			CapacityText, WriteCapacityHTML, WriteCapacityMarkdown, WriteCapacityJUnit,
		} {
			_ = render(io.Discard, c)
		}
	})
}
