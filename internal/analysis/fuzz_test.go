package analysis

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"testing"

	"github.com/bploadgen/bploadgen/internal/result"
)

// FuzzAnalyze: whatever a result file says, Analyze neither panics nor
// produces a document that cannot be encoded (NaN), and SizeInputs
// neither panics nor returns a bad distribution.
func FuzzAnalyze(f *testing.F) {
	small := synth{c: 2, k: 4, mean: 0.01, rates: []float64{100, 300}, stageDur: 2, seed: 1}.result(f)
	b, err := json.Marshal(small)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	// A shedding run whose windows say in_flight_max is math.MinInt64: K's
	// candidates were the in-flight level less one, which wrapped to
	// MaxInt64, and their loop never ended.
	wrap := *small
	wrap.Timeline = slices.Clone(small.Timeline)
	for i := range wrap.Timeline {
		wrap.Timeline[i].InFlightMax = math.MinInt64
	}
	if b, err = json.Marshal(&wrap); err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte(`{"schema":"bploadgen.result/v1","stages":[{"index":1,"start_s":0,"end_s":1,"sent":5,"status":{"503":5}}]}`))
	f.Add([]byte(`{"schema":"bploadgen.result/v1","stages":[{"index":1,"start_s":0,"end_s":-1,"sent":-5,"busy_s":-3,"in_flight_mean":1e308}],"timeline":[{"t_s":0,"duration_s":1e300,"in_flight_max":-9}]}`))
	// Levels a recorder never writes: negative counts, one past the cap.
	f.Add([]byte(`{"schema":"bploadgen.result/v1","stages":[{"index":1,"start_s":0,"end_s":1,"sent":60,"completed":60,"status":{"200":30,"503":30},"in_flight_at_send":{"503":[-5,0,30],"200":[9223372036854775807,3]}},{"index":2,"start_s":1,"end_s":2,"sent":60,"completed":60,"status":{"200":20,"503":40},"in_flight_at_send":{"503":[0,0,0,40]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := result.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		for _, spec := range []ModelSpec{{}, {Workers: 2, Queue: 2, QueueKnown: true, ServiceMean: 0.01}, {Workers: 2, Unbounded: true}} {
			a, err := Analyze(r, spec)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			if _, err := json.Marshal(a); err != nil {
				t.Fatalf("encode: %v", err)
			}
		}
		if _, d, scv, _, err := SizeInputs(r); err == nil && (!(d.Mean > 0) || !(scv >= 0)) {
			t.Fatalf("SizeInputs: %+v scv %g", d, scv)
		}
	})
}
