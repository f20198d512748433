package report

import (
	"bytes"
	"io"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// FuzzRenderResult: whatever a result file says (`report RESULT.json`
// reads any file), every renderer writes it or returns an error, and none
// panics.
func FuzzRenderResult(f *testing.F) {
	for _, b := range mergetest.Seeds() {
		f.Add(b)
	}
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
