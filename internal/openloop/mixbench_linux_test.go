package openloop

import (
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/mix"
	"github.com/bploadgen/bploadgen/internal/profile"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// BenchmarkEventLoopMix is BenchmarkEventLoop's default variant (2000 rps,
// one loop, a request per op) with the one GET, and with a 3-request mix
// whose URLs and headers hold placeholders ({{seq}}, {{uuid}},
// {{rand_int}}) and which is recorded by request: the process's CPU time
// per request (cpu-ns/req) of the two, to be compared (issue #16: within
// 10%). The mix's recording by request costs a fixed amount at the end of
// the run (its histograms encoded per stage and name: tens of ms), which
// a short run spreads over few requests; run it long enough for the
// per-request cost to show (20000 requests: 10 s each), with -count to
// take medians:
//
//	go test -run '^$' -bench EventLoopMix -benchtime 20000x -count 6 ./internal/openloop/
//
// MaxInFlight is high so that a stall of the machine does not leave
// requests unsent, which would fail the run.
func BenchmarkEventLoopMix(b *testing.B) {
	u := rawServer(b, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	set := benchMix(b, u)
	for _, v := range []struct {
		name string
		set  *mix.Set
	}{{"single", nil}, {"mix3", set}} {
		b.Run(v.name, func(b *testing.B) {
			n := b.N
			segs := []schedule.Segment{{Duration: time.Duration(n) * time.Second / 2000, From: 2000, To: 2000}}
			s, _ := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
			d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: u, Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			defer d.Close()
			e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 10000, EventLoop: true, Requests: v.set, ByRequest: v.set != nil})
			if err != nil {
				b.Fatal(err)
			}
			runCPU(b, e, n)
		})
	}
}

// BenchmarkMixPerArrival isolates what a request set adds to an arrival on
// the event loop's path, without I/O: its request rendered into the
// connection's buffer (or the one request taken), and the recorder's
// scheduled, sent and done (per request name too for the mix). The
// difference between the two is the mix's CPU per request, to compare
// with BenchmarkEventLoopMix's cpu-ns/req of a whole request.
func BenchmarkMixPerArrival(b *testing.B) {
	set := benchMix(b, "http://127.0.0.1:1/")
	for _, v := range []struct {
		name string
		set  *mix.Set
	}{{"single", nil}, {"mix3", set}} {
		b.Run(v.name, func(b *testing.B) {
			s, _ := schedule.New([]schedule.Segment{{Duration: time.Hour, From: 1000, To: 1000}}, schedule.Uniform, nil, 0, schedule.Shard{})
			d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: "http://127.0.0.1:1/", Timeout: time.Second})
			if err != nil {
				b.Fatal(err)
			}
			e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 1, EventLoop: true, Requests: v.set, ByRequest: v.set != nil})
			if err != nil {
				b.Fatal(err)
			}
			l := &evLoop{e: e, d: d}
			c := &loopConn{}
			resp := Response{Status: 200, ServerQueue: -1, ServerService: -1}
			var seq int64
			b.ReportAllocs()
			for b.Loop() {
				a := schedule.Arrival{Seq: seq, At: time.Duration(seq) * time.Millisecond}
				seq++
				e.rec.scheduled(0, a)
				e.noRequest(a)
				l.prepare(c, a)
				level := e.rec.sent(a, a.At+time.Microsecond)
				e.rec.done(a, a.At+time.Microsecond, a.At+time.Millisecond, &resp, level)
			}
		})
	}
}

// benchMix is the benchmarks' 3-request mix (weights 7:2:1) against base,
// its URLs and headers holding placeholders.
func benchMix(b *testing.B, base string) *mix.Set {
	h := []profile.Header{{Name: "X-Seq", Value: "{{seq}}"}, {Name: "X-Id", Value: "{{uuid}}"}}
	set, err := mix.Build(mix.Spec{Base: base, Seed: 1, Requests: []profile.Request{
		{Name: "home", Weight: 7, URL: "/?s={{seq}}", Headers: h},
		{Name: "search", Weight: 2, URL: "/search?q={{rand_int 1 1000}}", Headers: h},
		{Name: "item", Weight: 1, URL: "/item/{{rand_int 1 100000}}", Headers: h},
	}})
	if err != nil {
		b.Fatal(err)
	}
	return set
}
