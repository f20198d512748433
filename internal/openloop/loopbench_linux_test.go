package openloop

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// BenchmarkLookahead is the dispatch side's walk of a 20k rps schedule:
// peek, plan the wake-up, pop, per arrival; without slack and with 1 ms
// (about 20 arrivals per wake-up to group).
func BenchmarkLookahead(b *testing.B) {
	for _, slack := range []time.Duration{0, time.Millisecond} {
		b.Run("slack="+slack.String(), func(b *testing.B) {
			s, _ := schedule.New([]schedule.Segment{{Duration: time.Hour, From: 20000, To: 20000}}, schedule.Uniform, nil, 0, schedule.Shard{})
			la := newLookahead(s)
			var w time.Duration
			b.ReportAllocs()
			for b.Loop() {
				if _, ok := la.peek(); !ok {
					b.Fatal("schedule exhausted")
				}
				w = max(w, la.wake(slack))
				la.pop()
			}
		})
	}
}

// BenchmarkEventLoop runs the event loop at 2000 rps against an
// in-process loopback server (a request per op, so an op lasts 0.5 ms of
// wall time) and reports the process's CPU time per request (getrusage:
// the server's share is in it, the same in every variant): the default
// (kernel timestamps, a wake-up per send), a 1 ms timer slack, a wake-up
// per response as well, and two loops. The in-process server's CPU moves
// with the machine's load: a guard against regressions, not a measure to
// decide by (bench/run.sh is that).
func BenchmarkEventLoop(b *testing.B) {
	if !EventLoopSupported {
		b.Skip("the event loop needs Linux")
	}
	u := rawServer(b, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	for _, v := range []struct {
		name  string
		slack time.Duration
		wake  bool
		loops int
	}{{"default", 0, false, 1}, {"slack=1ms", time.Millisecond, false, 1}, {"wake-per-response", 0, true, 1}, {"loops=2", 0, false, 2}} {
		b.Run(v.name, func(b *testing.B) {
			n := b.N
			segs := []schedule.Segment{{Duration: time.Duration(n) * time.Second / 2000, From: 2000, To: 2000}}
			s, _ := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
			var parts []*schedule.Schedule
			for _, sh := range LoopShards(schedule.Shard{}, v.loops) {
				if v.loops > 1 {
					p, _ := schedule.New(segs, schedule.Uniform, nil, 0, sh)
					parts = append(parts, p)
				}
			}
			d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: u, Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 100, EventLoop: true, TimerSlack: v.slack,
				WakePerResponse: v.wake, Parts: parts})
			if err != nil {
				b.Fatal(err)
			}
			runCPU(b, e, n)
		})
	}
}

// runCPU runs e, which must answer its n requests 200, as the timed part
// of b, and reports the process's CPU time (user + system) per request.
func runCPU(b *testing.B, e *Engine, n int) {
	var r0, r1 syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &r0)
	b.ResetTimer()
	rec := e.Run(context.Background())
	b.StopTimer()
	syscall.Getrusage(syscall.RUSAGE_SELF, &r1)
	if rec.Total.Status["200"] != int64(n) {
		b.Fatalf("%d requests: status %v, errors %v", n, rec.Total.Status, rec.Total.Errors)
	}
	cpu := time.Duration(r1.Utime.Nano() + r1.Stime.Nano() - r0.Utime.Nano() - r0.Stime.Nano())
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/req")
}
