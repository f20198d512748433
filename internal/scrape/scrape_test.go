package scrape

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

const exposition = `# HELP bploadgen_target_queue_depth Requests waiting.
# TYPE bploadgen_target_queue_depth gauge
bploadgen_target_queue_depth 3
# TYPE bploadgen_target_busy_worker_seconds_total counter
bploadgen_target_busy_worker_seconds_total 12.5
# TYPE bploadgen_target_service_seconds histogram
bploadgen_target_service_seconds_bucket{le="0.01"} 5
bploadgen_target_service_seconds_bucket{le="+Inf"} 10
bploadgen_target_service_seconds_sum 0.1
bploadgen_target_service_seconds_count 10
# TYPE go_goroutines gauge
go_goroutines 42
`

func TestParseDefaultKeepsBuiltin(t *testing.T) {
	s, err := Parse(strings.NewReader(exposition), nil)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"bploadgen_target_queue_depth":               3,
		"bploadgen_target_busy_worker_seconds_total": 12.5,
		"bploadgen_target_service_seconds_sum":       0.1,
		"bploadgen_target_service_seconds_count":     10,
	}
	if len(s.values) != len(want) {
		t.Fatalf("values %v", s.values)
	}
	for k, v := range want {
		if s.values[k] != v {
			t.Errorf("%s = %v, want %v", k, s.values[k], v)
		}
	}
	if !s.counter["bploadgen_target_busy_worker_seconds_total"] || s.counter["bploadgen_target_queue_depth"] {
		t.Errorf("counter flags %v", s.counter)
	}
}

func TestParseChosenAndOther(t *testing.T) {
	s, err := Parse(strings.NewReader(exposition), map[string]bool{"go_goroutines": true})
	if err != nil || len(s.values) != 1 || s.values["go_goroutines"] != 42 {
		t.Fatalf("%v %v", s.values, err)
	}
	s, err = Parse(strings.NewReader("# TYPE a gauge\na 1\n# TYPE b counter\nb{x=\"1\"} 2\n"), nil)
	if err != nil || len(s.values) != 1 || s.values["a"] != 1 {
		t.Fatalf("%v %v", s.values, err)
	}
	if _, err := Parse(strings.NewReader("not metrics {{{"), nil); err == nil {
		t.Error("garbage parsed")
	}
}

func FuzzParse(f *testing.F) {
	f.Add(exposition)
	f.Add("# TYPE x summary\nx{quantile=\"0.5\"} 1\nx_sum 2\nx_count 3\n")
	f.Add("a NaN\n")
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = Parse(strings.NewReader(s), nil)
	})
}

// TestLoopAndApply: a loopback endpoint whose counter grows 2 per second
// is sampled each (virtual 100 ms here, to keep the test short) period;
// the windows get the value and the rate.
func TestLoopAndApply(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := n.Add(1)
		w.Write([]byte("# TYPE c counter\nc " + itoa(v*2) + "\n# TYPE g gauge\ng 7\n"))
	}))
	defer srv.Close()
	s := New(srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 550*time.Millisecond)
	defer cancel()
	start := time.Now()
	s.Loop(ctx, start, 100*time.Millisecond)
	// Windows of 0.2 s: each should hold about two samples' worth.
	tl := []result.Window{{TS: 0, DurationS: 0.2}, {TS: 0.2, DurationS: 0.2}, {TS: 0.4, DurationS: 0.2}}
	if w := s.Apply(tl); w != "" {
		t.Fatal(w)
	}
	for i, w := range tl {
		if w.Scrape["g"] != 7 {
			t.Errorf("window %d: %v", i, w.Scrape)
		}
	}
	// c grows by 2 per sample, one sample per 100 ms: 20 per second.
	if r := tl[1].Scrape["rate(c)"]; r < 10 || r > 40 {
		t.Errorf("rate(c) = %v, want about 20", r)
	}
}

func TestFailuresWarn(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", 500) }))
	defer srv.Close()
	s := New(srv.URL, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
	defer cancel()
	s.Loop(ctx, time.Now(), 100*time.Millisecond)
	if w := s.Apply(nil); !strings.Contains(w, "samples of "+srv.URL+" failed") {
		t.Errorf("warning %q", w)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
