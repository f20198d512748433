package openloop

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// The hostile-server conformance suite: raw-socket servers on 127.0.0.1
// that misbehave in named ways (hostile_cases_test.go), each run against
// all three clients, which must agree on every request's outcome.

// hreq is one request as the hostile server read it.
type hreq struct {
	i      int // index of the request on its connection, from 0
	method string
	host   string
	clen   int64 // Content-Length, the body is not read
}

// hostileServer serves every connection with serve, called once per
// request read; serve returns false to close the connection. It counts
// the requests it read (a resend is a request too).
type hostileServer struct {
	url      string
	requests atomic.Int64
	wg       sync.WaitGroup
}

// drainBody makes serve read the request body before answering.
const drainBody = -1

func newHostileServer(t *testing.T, serve func(r hreq, c net.Conn, br *bufio.Reader) bool) *hostileServer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &hostileServer{url: "http://" + l.Addr().String() + "/"}
	var mu sync.Mutex
	var open []net.Conn
	t.Cleanup(func() {
		l.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		s.wg.Wait()
	})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			s.wg.Add(1)
			go func() {
				defer s.wg.Done()
				defer c.Close()
				br := bufio.NewReader(c)
				for i := 0; ; i++ {
					r, err := readHostileRequest(br)
					if err != nil {
						return
					}
					r.i = i
					s.requests.Add(1)
					if !serve(r, c, br) {
						return
					}
				}
			}()
		}
	}()
	return s
}

func readHostileRequest(br *bufio.Reader) (hreq, error) {
	var r hreq
	line, err := br.ReadString('\n')
	if err != nil {
		return r, err
	}
	r.method, _, _ = strings.Cut(line, " ")
	for {
		h, err := br.ReadString('\n')
		if err != nil {
			return r, err
		}
		h = strings.TrimRight(h, "\r\n")
		if h == "" {
			return r, nil
		}
		name, v, _ := strings.Cut(h, ":")
		v = strings.TrimSpace(v)
		switch strings.ToLower(name) {
		case "host":
			r.host = v
		case "content-length":
			r.clen, _ = strconv.ParseInt(v, 10, 64)
		}
	}
}

// hostileClients are the three ways a request is sent: net/http workers,
// H1 workers, and the event loop.
var hostileClients = []string{"net/http", "h1", "loop"}

// hostileRun sends n requests, 20 ms apart, with client to url and
// returns the recording.
func hostileRun(t *testing.T, client, url string, hc hostileCase, n int) *Recording {
	t.Helper()
	if client == "loop" && !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	// n requests at 50/s: each is sent alone on an idle connection unless
	// the server holds it; Duration is n/rate.
	segs := []schedule.Segment{{Duration: time.Duration(n) * 20 * time.Millisecond, From: 50, To: 50}}
	s, err := schedule.New(segs, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := HTTPConfig{Method: hc.method, URL: url, Header: hc.header, Body: hc.body, Timeout: hostileTimeout, MaxConns: 10}
	if cfg.Method == "" {
		cfg.Method = "GET"
	}
	var d ClosableDoer
	if client == "net/http" {
		d, err = NewHTTPDoer(cfg)
	} else {
		d, err = NewH1Doer(cfg)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 10, EventLoop: client == "loop"})
	if err != nil {
		t.Fatal(err)
	}
	return e.Run(context.Background())
}

// hostileTimeout is every request's timeout in the suite: no case needs
// more than a few milliseconds per request on loopback, and a request that
// reaches it counts as "timeout", which no case expects.
const hostileTimeout = 3 * time.Second

// outcomes is a recording's outcomes: "200": count, "reset": count, ...
func outcomes(rec *Recording) map[string]int64 {
	out := map[string]int64{}
	for k, v := range rec.Total.Status {
		out[k] += v
	}
	for k, v := range rec.Total.Errors {
		if v > 0 {
			out[k] += v
		}
	}
	return out
}

// TestHostileServers runs every hostile case against every client and
// asserts the same outcome per request, conservation, no request sent
// twice once a byte of its response arrived (the server read exactly as
// many requests as the case allows), and bounded time and memory.
func TestHostileServers(t *testing.T) {
	for _, hc := range hostileCases {
		for _, client := range hostileClients {
			t.Run(hc.name+"/"+strings.ReplaceAll(client, "/", ""), func(t *testing.T) {
				if hc.skip[client] != "" {
					t.Skip(hc.skip[client])
				}
				n := hc.n
				if n == 0 {
					n = 6
				}
				srv := newHostileServer(t, hc.serve)
				var before runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				t0 := time.Now()
				rec := hostileRun(t, client, srv.url+strings.TrimPrefix(hc.path, "/"), hc, n)
				took := time.Since(t0)
				checkConservation(t, rec)
				want := hc.want(n)
				got := outcomes(rec)
				if hc.sameKinds {
					// Which requests found a reused connection depends on
					// timing (a late answer makes the next request dial):
					// the kinds must match, and the counts are checked by
					// the server's request count below.
					for k := range want {
						want[k] = got[k]
					}
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("outcomes %v, want %v (error samples %v)", got, want, errSamples(rec))
				}
				if hc.check != nil {
					hc.check(t, rec, n)
				}
				// A resend is allowed only when no byte of the response had
				// arrived: the case says how many requests the server may read.
				maxReq := int64(n)
				if hc.resends {
					maxReq = int64(2 * n)
				}
				if got := srv.requests.Load(); got > maxReq || got < int64(n) && !hc.fewer {
					t.Errorf("the server read %d requests for %d sent (at most %d)", got, n, maxReq)
				}
				// Time: the schedule, plus nothing near a request timeout.
				if limit := time.Duration(n)*20*time.Millisecond + hostileTimeout; took >= limit {
					t.Errorf("took %s, limit %s", took, limit)
				}
				// Memory: the heap after the run may not keep what the
				// server sent (bodies are discarded, header blocks released):
				// it stays within a few header limits, plus the request the
				// case sends (h1 serialises it once, with its body, and it may
				// not be collected yet).
				var after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&after)
				if grown := int64(after.HeapInuse) - int64(before.HeapInuse); grown > 4*H1MaxHeaderBytes+2*int64(len(hc.body)) {
					t.Errorf("heap grew by %d bytes", grown)
				}
			})
		}
	}
}

func errSamples(rec *Recording) string {
	if rec.Samples == nil {
		return ""
	}
	return fmt.Sprint(rec.Samples.Errors)
}

// all is a want function: every request ends with outcome.
func all(outcome string) func(n int) map[string]int64 {
	return func(n int) map[string]int64 { return map[string]int64{outcome: int64(n)} }
}

// write writes s to c, ignoring errors (the client may have gone).
func write(c net.Conn, s string) { c.Write([]byte(s)) }

// TestNetHTTPErrorTextHasNoSecrets (item 2 at the source): a transport
// error of the net/http client names the target without its user name,
// password or query (where API keys travel).
func TestNetHTTPErrorTextHasNoSecrets(t *testing.T) {
	srv := newHostileServer(t, func(hreq, net.Conn, *bufio.Reader) bool { return false }) // drops every request
	u := strings.Replace(srv.url, "http://", "http://alice-user:pw-secret@", 1) + "p?api_key=K-secret"
	d, err := NewHTTPDoer(HTTPConfig{Method: "GET", URL: u, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var s Scratch
	r := d.Do(context.Background(), &s)
	if r.Err == nil {
		t.Fatalf("no error: %+v", r)
	}
	for _, secret := range []string{"alice-user", "pw-secret", "K-secret"} {
		if strings.Contains(r.Err.Error(), secret) {
			t.Errorf("error text %q keeps %q", r.Err, secret)
		}
	}
}
