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

	"github.com/bploadgen/bploadgen/internal/dist"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/targets"
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
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	start := time.Now()
	stopped := make(chan struct{})
	go func() { s.Loop(ctx, start, 100*time.Millisecond); close(stopped) }()
	// Stop once the endpoint has answered the samples of 0–0.7 s, not at
	// a fixed time: window [0.4, 0.6) takes a sample from (0.5, 0.7], and
	// a deadline just past 0.5 s left its fetch a few ms on a loaded
	// machine.
	for n.Load() < 8 {
		if time.Since(start) > 10*time.Second {
			t.Fatalf("%d samples answered in 10 s", n.Load())
		}
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	<-stopped
	// Windows of 0.2 s: each should hold about two samples' worth.
	tl := []result.Window{{TS: 0, DurationS: 0.2}, {TS: 0.2, DurationS: 0.2}, {TS: 0.4, DurationS: 0.2}}
	if w := s.Apply(tl); len(w) != 0 {
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
	if w := strings.Join(s.Apply(nil), "\n"); !strings.Contains(w, "samples of "+srv.URL+" failed") {
		t.Errorf("warning %q", w)
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }

// TestParseChoice: which series the streaming filter lets through, and
// what it counts as left out.
func TestParseChoice(t *testing.T) {
	var sixty strings.Builder
	for i := range 60 {
		sixty.WriteString("g" + itoa(int64(100+i)) + " 1\n")
	}
	long := "bploadgen_target_l{v=\"" + strings.Repeat("z", maxKeyBytes) + "\"} 1\n"
	tests := []struct {
		name    string
		in      string
		keep    []string
		want    []string // kept series
		dropped dropped
		err     string
	}{
		{name: "chosen histogram", in: "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 3\nh_sum 2\nh_count 3\n# TYPE x gauge\nx 1\n",
			keep: []string{"h"}, want: []string{"h_count", "h_sum"}},
		{name: "built-in wins over earlier others", in: "a 1\nb{x=\"1\"} 2\n# TYPE bploadgen_target_q gauge\nbploadgen_target_q{w=\"1\"} 3\nc 4\n",
			want: []string{`bploadgen_target_q{w="1"}`}},
		{name: "quoted UTF-8 name", in: "# TYPE \"my.metric\" gauge\n{\"my.metric\"} 5\n", keep: []string{"my.metric"}, want: []string{"my.metric"}},
		{name: "first 50 by name", in: sixty.String(), want: nil, dropped: dropped{series: 10}},
		{name: "over-long name", in: long + "bploadgen_target_ok 1\n", want: []string{"bploadgen_target_ok"}, dropped: dropped{longKeys: 1}},
		{name: "chosen metric absent", in: "a 1\n", keep: []string{"b"}, err: "not a chosen metric in 1 lines"},
		{name: "labelled only", in: "a{x=\"1\"} 1\n", err: "not an unlabelled gauge or counter in 1 lines (1 labelled series left out: choose with --scrape-metric NAME)"},
		{name: "labelled only, a queue among them", in: "# TYPE q_current_queue gauge\nq_current_queue{p=\"be\"} 1\n",
			err: "(1 labelled series left out: choose with --scrape-metric NAME, perhaps q_current_queue)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keep := map[string]bool{}
			for _, k := range tt.keep {
				keep[k] = true
			}
			p, err := Parse(strings.NewReader(tt.in), keep)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.dropped != tt.dropped {
				t.Errorf("dropped %+v, want %+v", p.dropped, tt.dropped)
			}
			if tt.want == nil { // only the count is of interest
				if len(p.values) != MaxSeries || p.values["g100"] != 1 || p.values["g150"] != 0 {
					t.Errorf("kept %d: %v", len(p.values), p.values)
				}
				return
			}
			if len(p.values) != len(tt.want) {
				t.Errorf("kept %v, want %v", p.values, tt.want)
			}
			for _, k := range tt.want {
				if _, ok := p.values[k]; !ok {
					t.Errorf("%s not kept: %v", k, p.values)
				}
			}
		})
	}
}

// TestBuiltinTargetKeptWhole: the built-in target's exposition fits the
// bounds: every metric the analysis and the report chart is kept, nothing
// is left out, and no warning is given.
func TestBuiltinTargetKeptWhole(t *testing.T) {
	svc, err := dist.Parse("exp:1ms")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := targets.Start(targets.Config{Workers: 2, Queue: 2, Service: svc})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	s := New(srv.URL()+"/metrics", nil)
	s.once(context.Background(), time.Now())
	tl := []result.Window{{TS: 0, DurationS: 60}}
	if w := s.Apply(tl); len(w) != 0 {
		t.Fatalf("warnings %q", w)
	}
	for _, name := range []string{targets.MetricWorkers, targets.MetricQueueDepth, targets.MetricBusyWorkerSeconds,
		targets.MetricInFlightSeconds, targets.MetricService + "_count", targets.MetricQueueWait + "_sum"} {
		if _, ok := tl[0].Scrape[name]; !ok {
			t.Errorf("%s not kept: %v", name, tl[0].Scrape)
		}
	}
	if len(s.names) >= MaxSeries {
		t.Errorf("the built-in target alone fills the %d series: %v", MaxSeries, s.names)
	}
}

// A few lines of HAProxy 2.6's exporter (http-request use-service
// prometheus-exporter), verbatim but for their number: its process
// metrics are unlabelled, the ones that show its queue are labelled.
const haproxyExposition = `# TYPE haproxy_process_current_connections gauge
haproxy_process_current_connections 3
# TYPE haproxy_frontend_current_sessions gauge
haproxy_frontend_current_sessions{proxy="fe"} 0
haproxy_frontend_current_sessions{proxy="stats"} 1
# TYPE haproxy_frontend_max_sessions gauge
haproxy_frontend_max_sessions{proxy="fe"} 57
# TYPE haproxy_frontend_http_responses_total counter
haproxy_frontend_http_responses_total{proxy="fe",code="5xx"} 2360
# TYPE haproxy_backend_current_queue gauge
haproxy_backend_current_queue{proxy="be"} 0
# TYPE haproxy_backend_max_queue gauge
haproxy_backend_max_queue{proxy="be"} 49
# TYPE haproxy_backend_current_sessions gauge
haproxy_backend_current_sessions{proxy="be"} 0
# TYPE haproxy_server_current_queue gauge
haproxy_server_current_queue{proxy="be",server="s1"} 0
`

// TestLabelledLeftOutSaysHow: by default the unlabelled series are kept,
// and the warning counts the labelled ones left out and names those that
// look like a queue (first) or a concurrency, with the flag that keeps
// them: against HAProxy the default kept only its process metrics and
// the warning did not say why the queue was missing.
func TestLabelledLeftOutSaysHow(t *testing.T) {
	p, err := Parse(strings.NewReader(haproxyExposition), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.values) != 1 || p.values["haproxy_process_current_connections"] != 3 {
		t.Errorf("kept %v", p.values)
	}
	if p.dropped != (dropped{labelled: 8}) {
		t.Errorf("dropped %+v, want 8 labelled", p.dropped)
	}
	want := []string{"haproxy_backend_current_queue", "haproxy_server_current_queue", "haproxy_frontend_current_sessions", "haproxy_backend_current_sessions"}
	if strings.Join(p.hints, " ") != strings.Join(want, " ") {
		t.Errorf("hints %q, want %q", p.hints, want)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(haproxyExposition))
	}))
	defer srv.Close()
	s := New(srv.URL, nil)
	s.once(context.Background(), time.Now())
	warns := s.Apply([]result.Window{{TS: 0, DurationS: 1}})
	wantWarn := "left out: up to 8 labelled series per scrape (without --scrape-metric NAME only unlabelled ones are kept; here perhaps haproxy_backend_current_queue, haproxy_server_current_queue, haproxy_frontend_current_sessions, haproxy_backend_current_sessions)"
	if len(warns) != 1 || !strings.Contains(warns[0], wantWarn) {
		t.Errorf("warnings %q, want one with %q", warns, wantWarn)
	}
	// Chosen by name, labelled series are kept.
	p, err = Parse(strings.NewReader(haproxyExposition), map[string]bool{"haproxy_backend_current_queue": true})
	if err != nil || len(p.values) != 1 || p.dropped != (dropped{}) {
		t.Errorf("chosen: %v %+v %v", p.values, p.dropped, err)
	}
}
