//go:build linux

package openloop

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

// Tests that reach into the event loop through its seam (evsys_linux.go):
// a failing epoll_wait, the per-wake read budget, the line buffers' cap.

// seamRun runs the loop over segs against url with hooks, and returns the
// recording and the engine (for its buffer statistics).
func seamRun(t *testing.T, url string, segs []schedule.Segment, timeout time.Duration, hooks func(e *Engine) *loopHooks, bufLimit int) (*Recording, *Engine) {
	t.Helper()
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: url, Timeout: timeout})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 10000, EventLoop: true, LoopBufferBytes: bufLimit})
	if err != nil {
		t.Fatal(err)
	}
	if hooks != nil {
		e.hooks = hooks(e)
	}
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	return rec, e
}

// TestLoopEpollFailsMidRun (item 16): epoll_wait fails while requests are
// in flight (the server holds each for 300 ms). Every request in flight
// then is recorded, as error class other with the failure in its sample,
// no later arrival is scheduled, and the recording carries the error
// that makes the run fail (internal/run turns it into exit 3).
func TestLoopEpollFailsMidRun(t *testing.T) {
	srv := newHostileServer(t, func(r hreq, c net.Conn, _ *bufio.Reader) bool {
		time.Sleep(300 * time.Millisecond)
		write(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
		return true
	})
	var inFlight, sent atomic.Int64
	hooks := func(e *Engine) *loopHooks {
		real := realSys(false)
		failing := func() bool {
			p := e.Progress()
			if p.Sent < 20 || p.Now == 0 {
				return false
			}
			inFlight.Store(p.Now)
			sent.Store(p.Sent)
			return true
		}
		sys := real
		sys.epollWait = func(epfd int, ev []unix.EpollEvent, msec int) (int, error) {
			if failing() {
				return 0, unix.EBADF
			}
			return real.epollWait(epfd, ev, msec)
		}
		sys.epollPwait2 = func(epfd int, ev []unix.EpollEvent, ts *unix.Timespec) (int, error) {
			if failing() {
				return 0, unix.EBADF
			}
			return real.epollPwait2(epfd, ev, ts)
		}
		return &loopHooks{sys: &sys}
	}
	rec, _ := seamRun(t, srv.url, []schedule.Segment{{Duration: 2 * time.Second, From: 100, To: 100}}, 5*time.Second, hooks, 0)
	if rec.Err == nil || !errors.Is(rec.Err, unix.EBADF) || !strings.Contains(rec.Err.Error(), "epoll_wait") {
		t.Fatalf("recording error %v, want epoll_wait's EBADF", rec.Err)
	}
	n := inFlight.Load()
	tot := rec.Total
	if n == 0 || tot.Sent != sent.Load() || tot.Errors[result.ErrOther] != n || tot.Status["200"] != tot.Sent-n {
		t.Errorf("in flight at the failure %d of %d sent; recorded: sent %d, status %v, errors %v",
			n, sent.Load(), tot.Sent, tot.Status, tot.Errors)
	}
	if tot.Scheduled >= 200 || rec.End >= 2*time.Second {
		t.Errorf("scheduled %d, plan ends at %v: the run went on after the failure", tot.Scheduled, rec.End)
	}
	if s := rec.Samples; s == nil || !strings.Contains(s.Errors[result.ErrOther], "epoll_wait") {
		t.Errorf("samples %+v", s)
	}
}

// TestLoopReadBudgetYields (item 17): one connection streams a 100 MB
// body, read through a seam that makes the peer infinitely fast (each read
// waits until the socket holds some bytes, so a read never finds it
// drained before the body ends), while other requests arrive at 200/s on
// other connections. The loop must stop reading that connection after
// readBudget bytes per wake and go back to epoll (and to the sends) before
// reading more: without the budget one wake would read the whole body.
func TestLoopReadBudgetYields(t *testing.T) {
	if testing.Short() {
		t.Skip("100 MB over loopback")
	}
	const body = 100 << 20
	var bigPort atomic.Int64 // the client port of the connection that streams
	var bigDone atomic.Bool  // the server wrote the whole body
	var first atomic.Bool
	srv := newHostileServer(t, func(r hreq, c net.Conn, _ *bufio.Reader) bool {
		if !first.CompareAndSwap(false, true) {
			write(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
			return true
		}
		bigPort.Store(int64(c.RemoteAddr().(*net.TCPAddr).Port))
		write(c, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", body))
		chunk := make([]byte, 1<<20)
		for i := 0; i < body/len(chunk); i++ {
			if _, err := c.Write(chunk); err != nil {
				return false
			}
		}
		bigDone.Store(true)
		return false
	})
	var waits atomic.Int64
	type yield struct {
		n     int
		waits int64
	}
	var yields []yield // appended on the loop's thread only
	hooks := func(e *Engine) *loopHooks {
		real := realSys(false)
		sys := real
		sys.epollWait = func(epfd int, ev []unix.EpollEvent, msec int) (int, error) {
			waits.Add(1)
			return real.epollWait(epfd, ev, msec)
		}
		sys.epollPwait2 = func(epfd int, ev []unix.EpollEvent, ts *unix.Timespec) (int, error) {
			waits.Add(1)
			return real.epollPwait2(epfd, ev, ts)
		}
		sys.read = func(fd int, p []byte) (int, error) {
			if sa, err := unix.Getsockname(fd); err == nil && int64(sa.(*unix.SockaddrInet4).Port) == bigPort.Load() {
				for !bigDone.Load() {
					if n, err := unix.IoctlGetInt(fd, unix.SIOCINQ); err != nil || n > 0 {
						break
					}
					time.Sleep(20 * time.Microsecond)
				}
			}
			return real.read(fd, p)
		}
		return &loopHooks{sys: &sys, readYield: func(fd, n int) {
			yields = append(yields, yield{n, waits.Load()})
		}}
	}
	rec, _ := seamRun(t, srv.url, []schedule.Segment{{Duration: time.Second, From: 200, To: 200}}, 30*time.Second, hooks, 0)
	if rec.Total.Status["200"] != rec.Total.Sent || rec.Total.Sent != 200 {
		t.Fatalf("status %v errors %v of %d sent", rec.Total.Status, rec.Total.Errors, rec.Total.Sent)
	}
	// Every wake that read the budget read exactly it, and the loop waited
	// for events between two such wakes; the stream needed about
	// body/readBudget of them (some wakes end early, when the reads catch
	// up with the writer before bigDone).
	for i, y := range yields {
		if y.n != readBudget {
			t.Fatalf("yield %d read %d bytes, want the budget %d", i, y.n, readBudget)
		}
		if i > 0 && y.waits == yields[i-1].waits {
			t.Fatalf("yields %d and %d without a wait for events between them", i-1, i)
		}
	}
	if min := body/readBudget - 1; len(yields) < min {
		t.Errorf("%d wakes stopped at the budget, want at least %d for %d bytes", len(yields), min, body)
	}
	// (The send lag says nothing here: the seam's waits for the writer
	// stall the loop's thread.)
	t.Logf("%d wakes stopped at the budget", len(yields))
}

// TestLoopLineBufferCap (item 15): 200 connections at once each receive a
// 20 KB header line in two pieces 300 ms apart, so each holds an
// unfinished line for that long. With the line buffers capped at 1 MiB
// (room for fewer than 64 of them), the requests that find the cap
// reached fail as other with a sample that says why, a warning counts
// them, the loop never held more than the cap, and every buffer was given
// back at the end. With the default cap, the same run is all 200s.
func TestLoopLineBufferCap(t *testing.T) {
	long := "X-Long: " + strings.Repeat("v", 20000) + "\r\n"
	srv := newHostileServer(t, func(r hreq, c net.Conn, _ *bufio.Reader) bool {
		write(c, "HTTP/1.1 200 OK\r\n"+long[:10000])
		time.Sleep(300 * time.Millisecond)
		write(c, long[10000:]+"Content-Length: 0\r\n\r\n")
		return true
	})
	segs := []schedule.Segment{{Duration: 100 * time.Millisecond, From: 2000, To: 2000}}
	const limit = 1 << 20
	rec, e := seamRun(t, srv.url, segs, 5*time.Second, nil, limit)
	tot := rec.Total
	refused := e.lineBufs().refused
	if refused == 0 || tot.Errors[result.ErrOther] != refused || tot.Status["200"] != tot.Sent-refused {
		t.Errorf("refused %d; sent %d, status %v, errors %v", refused, tot.Sent, tot.Status, tot.Errors)
	}
	if e.lineBufs().peak > limit || e.lineBufs().left != 0 {
		t.Errorf("peak %d bytes lent (cap %d), %d still lent at the end", e.lineBufs().peak, limit, e.lineBufs().left)
	}
	if s := rec.Samples; s == nil || !strings.Contains(s.Errors[result.ErrOther], "event loop's buffers") {
		t.Errorf("samples %+v", s)
	}
	warned := false
	for _, w := range rec.Warnings {
		warned = warned || strings.HasPrefix(w, fmt.Sprintf("%d requests failed", refused)) && strings.Contains(w, "1 MiB")
	}
	if !warned {
		t.Errorf("no warning counts the %d requests: %q", refused, rec.Warnings)
	}
	t.Logf("cap %d: %d refused of %d, peak %d bytes", limit, refused, tot.Sent, e.lineBufs().peak)

	rec, e = seamRun(t, srv.url, segs, 5*time.Second, nil, 0)
	if rec.Total.Status["200"] != rec.Total.Sent || e.lineBufs().refused != 0 || e.lineBufs().left != 0 {
		t.Errorf("default cap: status %v errors %v, refused %d, left %d", rec.Total.Status, rec.Total.Errors, e.lineBufs().refused, e.lineBufs().left)
	}
	t.Logf("default cap: peak %d bytes lent for %d connections", e.lineBufs().peak, rec.Total.Sent)
}

// TestLoopKeepsOneHeadPerStatus: a non-2xx response keeps its head and
// body start only while its status has no sample yet; the samples are
// still the first 503's and the first 429's. A status can be kept once
// more for each response of it in flight when its first one completed, so
// the bound is the run's own in-flight maximum (1 when the responses come
// before the next send, 20 a second; a starved machine may overlap them).
func TestLoopKeepsOneHeadPerStatus(t *testing.T) {
	srv := shedServer(t)
	segs := []schedule.Segment{{Duration: time.Second, From: 20, To: 20}}
	kept := map[int]int64{}
	rec, _ := seamRun(t, srv.url, segs, 5*time.Second, func(e *Engine) *loopHooks {
		return &loopHooks{kept: func(status int) { kept[status]++ }}
	}, 0)
	tot := rec.Total
	if tot.Status["503"] < 10 || tot.Status["429"] != 1 {
		t.Fatalf("status %v errors %v", tot.Status, tot.Errors)
	}
	if kept[503] < 1 || kept[503] > tot.InFlightMax || kept[429] != 1 {
		t.Errorf("heads kept %v for %v, in flight at most %d: want each status kept once per response in flight", kept, tot.Status, tot.InFlightMax)
	}
	s := rec.Samples
	if s == nil || s.Responses["503"].Headers["X-Seq"] == "" || s.Responses["503"].Body != "busy" || s.Responses["429"].Headers["X-Seq"] != "5" {
		t.Errorf("samples %+v", s)
	}
}

// TestLoopHarvestsAfterSignal: every timed sleep of the loop sleeps its
// whole time and then reports EINTR, as when the runtime's preemption
// signal lands on the wake-up. The responses that came during the sleep
// are still read before the next dispatch, so the one kept-alive
// connection carries every request: before, each dispatch found the
// connection of a response received 50 ms earlier still busy and dialled
// a new one.
func TestLoopHarvestsAfterSignal(t *testing.T) {
	srv := newHostileServer(t, func(r hreq, c net.Conn, _ *bufio.Reader) bool {
		write(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
		return true
	})
	var interrupted atomic.Int64
	hooks := func(e *Engine) *loopHooks {
		real := realSys(false)
		sys := real
		sys.epollPwait2 = func(epfd int, ev []unix.EpollEvent, ts *unix.Timespec) (int, error) {
			if _, err := real.epollPwait2(epfd, ev, ts); err != nil || ts == nil {
				return 0, err
			}
			interrupted.Add(1)
			return 0, unix.EINTR
		}
		return &loopHooks{sys: &sys}
	}
	segs := []schedule.Segment{{Duration: 500 * time.Millisecond, From: 20, To: 20}}
	rec, e := seamRun(t, srv.url, segs, 5*time.Second, hooks, 0)
	dials, _ := e.cfg.Doer.(*H1Doer).Dials()
	if rec.Total.Status["200"] != 10 || interrupted.Load() < 9 {
		t.Fatalf("status %v errors %v, %d sleeps interrupted", rec.Total.Status, rec.Total.Errors, interrupted.Load())
	}
	if dials > rec.Total.InFlightMax {
		t.Errorf("%d connections dialled for at most %d requests in flight", dials, rec.Total.InFlightMax)
	}
}
