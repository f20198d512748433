package openloop

import (
	"context"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestPreDial: the connection the first request goes out on is open
// before the start. The run starts at a set time (Config.StartAt); the
// server accepts with that time as its deadline, which only a connection
// dialled before the start can meet (without it the first dial comes at
// the start, at the earliest). That connection then carries every request
// of the run, so the server accepts no other.
func TestPreDial(t *testing.T) {
	for _, mode := range []string{"h1", "loop"} {
		t.Run(mode, func(t *testing.T) {
			if mode == "loop" && !EventLoopSupported {
				t.Skip("the event loop needs Linux")
			}
			t.Parallel()
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: "http://" + ln.Addr().String() + "/", Timeout: 2 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			s, err := schedule.New([]schedule.Segment{{Duration: 150 * time.Millisecond, From: 20, To: 20}}, schedule.Uniform, nil, 0, schedule.Shard{})
			if err != nil {
				t.Fatal(err)
			}
			// A second is far more than a loopback handshake takes, even on
			// a starved machine; the pre-dial itself waits at most preDialWait.
			startAt := time.Now().Add(time.Second)
			e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 10, EventLoop: mode == "loop", StartAt: startAt})
			if err != nil {
				t.Fatal(err)
			}
			recs := make(chan *Recording, 1)
			go func() { recs <- e.Run(context.Background()) }()

			ln.(*net.TCPListener).SetDeadline(startAt)
			first, err := ln.Accept()
			if err != nil {
				t.Fatalf("no connection before the start: %v", err)
			}
			ln.(*net.TCPListener).SetDeadline(time.Time{})
			var accepted atomic.Int64
			srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })}
			go srv.Serve(&firstListener{Listener: ln, first: first, accepted: &accepted})
			defer srv.Close()

			rec := <-recs
			checkConservation(t, rec)
			dials, _ := d.Dials()
			// One connection carries all three when each response is back
			// before the next arrival, 50 ms on: the largest send lag plus
			// the longest service time under 50 ms. A machine that stalled
			// the run longer may dial one per request.
			tot := rec.Total
			one := tot.SendLag.Max+tot.ServiceTime.Max < 0.050
			if tot.Status["200"] != 3 || dials > 3 || (one && (dials != 1 || accepted.Load() != 1)) {
				t.Errorf("status %v errors %v, dials %d, accepted %d (send lag max %.1f ms, service max %.1f ms): want 3 200s on the one connection opened before the start",
					tot.Status, tot.Errors, dials, accepted.Load(), tot.SendLag.Max*1e3, tot.ServiceTime.Max*1e3)
			}
		})
	}
}

// firstListener hands out first, then what its listener accepts, and
// counts them all.
type firstListener struct {
	net.Listener
	first    net.Conn
	accepted *atomic.Int64
}

func (l *firstListener) Accept() (net.Conn, error) {
	if c := l.first; c != nil {
		l.first = nil
		l.accepted.Add(1)
		return c, nil
	}
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}
