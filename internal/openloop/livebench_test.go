package openloop_test

import (
	"context"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/live"
	"github.com/bploadgen/bploadgen/internal/openloop"
	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// BenchmarkRecordPath is one request through the engine's recording path
// (recorder, live counters, OnDone) at 1000 rps, without hooks, with the
// live metrics' hook (live.Metrics.Observe, issue #18), and with it and
// the stream (OnWindow: the finalizer's, not the request's, work).
func BenchmarkRecordPath(b *testing.B) {
	b.Run("bare", func(b *testing.B) { benchRecordPath(b, false, false) })
	b.Run("metrics", func(b *testing.B) { benchRecordPath(b, true, false) })
	b.Run("metrics+stream", func(b *testing.B) { benchRecordPath(b, true, true) })
}

func benchRecordPath(b *testing.B, metrics, stream bool) {
	plan, _ := schedule.New([]schedule.Segment{{Duration: 24 * time.Hour, From: 1000, To: 1000}}, schedule.Uniform, nil, 0, schedule.Shard{})
	walk, _ := schedule.New([]schedule.Segment{{Duration: 24 * time.Hour, From: 1000, To: 1000}}, schedule.Uniform, nil, 0, schedule.Shard{})
	cfg := openloop.Config{Schedule: plan, Doer: nopDoer{}, MaxInFlight: 1}
	if metrics {
		m, _ := live.NewMetrics("http://127.0.0.1/")
		cfg.OnDone = m.Observe
	}
	var rows int
	if stream {
		cfg.OnWindow = func(result.Window) { rows++ }
	}
	e, err := openloop.New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	stop := e.StartFinalizer()
	resp := openloop.Response{Status: 200, ServerQueue: -1, ServerService: -1}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a, ok := walk.Next()
		if !ok {
			b.Fatal("schedule exhausted")
		}
		e.RecordOne(a, a.At+20*time.Microsecond, a.At+time.Duration(1+i%10)*time.Millisecond, &resp)
		i++
	}
	b.StopTimer()
	stop()
}

type nopDoer struct{}

func (nopDoer) Do(ctx context.Context, _ *openloop.Scratch) openloop.Response {
	return openloop.Response{}
}
