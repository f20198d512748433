package live

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

func TestLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:9464": true, "[::1]:9464": true, "localhost:0": true, "127.1.2.3:1": true,
		":9464": false, "0.0.0.0:9464": false, "[::]:9464": false, "10.0.0.1:9464": false,
		"example.com:9464": false, "127.0.0.1": false, "": false,
	} {
		if got := Loopback(addr); got != want {
			t.Errorf("Loopback(%q) = %v, want %v", addr, got, want)
		}
	}
}

// TestObserve: outcomes are split as the recorder splits them (an error
// class wins over a status; an unknown class counts as other; a status no
// server should send is still counted), and only responses enter the
// latency histogram, which is native as well as classic.
func TestObserve(t *testing.T) {
	m, reg := NewMetrics("http://127.0.0.1/")
	a := schedule.Arrival{At: time.Second}
	for _, r := range []*openloop.Response{
		{Status: 200}, {Status: 200}, {Status: 503}, {Status: 1234},
		{ErrClass: result.ErrTimeout, Status: 200}, {ErrClass: "weird"}, nil,
	} {
		m.Observe(a, a.At, a.At+50*time.Millisecond, r)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range fams {
		for _, x := range f.GetMetric() {
			key := f.GetName()
			for _, l := range x.GetLabel() {
				key += "," + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case x.Counter != nil:
				got[key] = x.GetCounter().GetValue()
			case x.Histogram != nil:
				h := x.GetHistogram()
				got[key] = float64(h.GetSampleCount())
				if h.Schema == nil || len(h.GetBucket()) != len(LatencyBuckets) {
					t.Errorf("latency histogram: schema %v, %d classic buckets", h.Schema, len(h.GetBucket()))
				}
				if s := h.GetSampleSum(); s < 0.199 || s > 0.201 {
					t.Errorf("latency sum %v, want 4 × 50 ms", s)
				}
			}
		}
	}
	for k, want := range map[string]float64{
		"bploadgen_responses_total,code=200": 2, "bploadgen_responses_total,code=503": 1,
		"bploadgen_responses_total,code=1234": 1, "bploadgen_errors_total,class=timeout": 1,
		"bploadgen_errors_total,class=other": 1, "bploadgen_errors_total,class=reset": 0,
		"bploadgen_latency_seconds": 4,
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if _, ok := got["bploadgen_requests_sent_total"]; ok {
		t.Error("engine counters exposed before Bind")
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	if w.n++; w.n > 1 {
		return 0, errors.New("disk full")
	}
	return len(p), nil
}

func TestStream(t *testing.T) {
	var b bytes.Buffer
	s := NewStream(&b)
	s.Window(result.Window{TS: 0, Scheduled: 3})
	s.Total(result.Stage{Name: "total", Scheduled: 3})
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"t_s":0,`) || !strings.HasPrefix(lines[1], `{"total":{`) || s.Err() != nil {
		t.Errorf("stream %q, err %v", b.String(), s.Err())
	}
	f := NewStream(&failWriter{})
	f.Window(result.Window{})
	f.Window(result.Window{})
	f.Total(result.Stage{})
	if err := f.Err(); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("err %v", err)
	}
}

// BenchmarkObserve is the live hook's own cost per request (a response:
// one status counter and the histogram), serial and from every CPU.
func BenchmarkObserve(b *testing.B) {
	m, _ := NewMetrics("")
	a := schedule.Arrival{At: time.Second}
	r := &openloop.Response{Status: 200}
	b.Run("serial", func(b *testing.B) {
		i := 0
		for b.Loop() {
			m.Observe(a, a.At, a.At+time.Duration(1+i%10)*time.Millisecond, r)
			i++
		}
	})
	b.Run("parallel", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				m.Observe(a, a.At, a.At+time.Duration(1+i%10)*time.Millisecond, r)
				i++
			}
		})
	})
}
