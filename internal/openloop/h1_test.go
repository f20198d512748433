package openloop

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
)

func TestReadH1Response(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		head    bool
		status  int
		close   bool
		body    string // the kept prefix
		st      string // Server-Timing
		wantErr string
		rest    string // what must remain unread
	}{
		{name: "content-length", in: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello" + "NEXT", status: 200, rest: "NEXT"}, // 2xx bodies are not kept
		{name: "chunked", in: "HTTP/1.1 503 Service Unavailable\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n2\r\nde\r\n0\r\nTrailer: x\r\n\r\nNEXT", status: 503, body: "abcde", rest: "NEXT"},
		{name: "close-delimited", in: "HTTP/1.1 500 Oops\r\n\r\nuntil the end", status: 500, close: true, body: "until the end"},
		{name: "http/1.0", in: "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n", status: 404, close: true},
		{name: "http/1.0 keep-alive", in: "HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n", status: 200},
		{name: "connection close", in: "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok", status: 200, close: true},
		{name: "interim 100", in: "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n", status: 201},
		{name: "204 has no body", in: "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nNEXT", status: 204, rest: "NEXT"},
		{name: "head has no body", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nNEXT", head: true, status: 200, rest: "NEXT"},
		{name: "server-timing", in: "HTTP/1.1 200 OK\r\nServer-Timing: queue;dur=1.5, svc;dur=10\r\nContent-Length: 0\r\n\r\n", status: 200, st: "queue;dur=1.5, svc;dur=10"},
		{name: "LF only", in: "HTTP/1.1 404 Not Found\nContent-Length: 1\n\nx", status: 404, body: "x"},
		{name: "garbage", in: "SSH-2.0-OpenSSH\r\n", wantErr: "bad status line"},
		{name: "bad code", in: "HTTP/1.1 2x0 OK\r\n\r\n", wantErr: "bad status code"},
		{name: "bad length", in: "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", wantErr: "bad Content-Length"},
		{name: "two lengths", in: "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", wantErr: "bad Content-Length"},
		{name: "gzip transfer", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", wantErr: "unsupported Transfer-Encoding"},
		{name: "short body", in: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", wantErr: "unexpected EOF"},
		{name: "cut in headers", in: "HTTP/1.1 200 OK\r\nContent-Le", wantErr: "unexpected EOF"},
		{name: "bad chunk", in: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", wantErr: "bad chunk size"},
		{name: "empty", in: "", wantErr: "EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			br := bufio.NewReaderSize(strings.NewReader(tt.in), h1BufSize)
			prefix := make([]byte, 64)
			r, kept, err := readH1Response(br, tt.head, true, nil, prefix)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			rest, _ := io.ReadAll(br)
			if r.status != tt.status || r.close != tt.close || string(prefix[:kept]) != tt.body || string(r.serverTime) != tt.st || string(rest) != tt.rest {
				t.Errorf("status %d close %v body %q st %q rest %q", r.status, r.close, prefix[:kept], r.serverTime, rest)
			}
		})
	}
}

// FuzzReadH1Response: any bytes give a response or an error, never a
// panic, and the parser never reports more bytes than it was given.
func FuzzReadH1Response(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
		"HTTP/1.0 100 Continue\r\n\r\nHTTP/1.1 503 x\r\nServer-Timing: svc;dur=1\r\n\r\nbody",
		"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n",
	} {
		f.Add([]byte(s), false)
	}
	f.Fuzz(func(t *testing.T, data []byte, head bool) {
		br := bufio.NewReaderSize(strings.NewReader(string(data)), h1BufSize)
		r, kept, err := readH1Response(br, head, true, nil, make([]byte, 16))
		if r.n > len(data) || kept > 16 || kept < 0 {
			t.Fatalf("n %d kept %d of %d bytes", r.n, kept, len(data))
		}
		if err == nil && (r.status < 200 || r.status > 599) {
			t.Fatalf("final status %d", r.status)
		}
	})
}

func newH1(t *testing.T, url string, hdr http.Header, body string, method string) *H1Doer {
	t.Helper()
	d, err := NewH1Doer(HTTPConfig{Method: method, URL: url, Header: hdr, Body: []byte(body), Timeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// TestH1AgainstNetHTTP: the request the server sees, keep-alive reuse,
// error responses kept as samples, and Server-Timing.
func TestH1AgainstNetHTTP(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.URL.RequestURI() != "/p?q=1" || r.Host != "h.example:8080" || string(b) != `{"a":1}` ||
			r.Header.Get("X-Test") != "yes" || r.Header.Get("User-Agent") != UserAgent || r.Method != "POST" {
			w.WriteHeader(400)
			fmt.Fprintf(w, "unexpected request %s %s %q %q %v", r.Method, r.URL, r.Host, b, r.Header)
			return
		}
		w.Header().Set("Server-Timing", "queue;dur=2, svc;dur=3")
		if r.Header.Get("X-Fail") != "" {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(503)
			w.Write([]byte("busy <b>now</b>"))
			return
		}
		w.Write([]byte("ok"))
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	hdr := http.Header{"X-Test": {"yes"}, "Host": {"h.example:8080"}}
	d := newH1(t, srv.URL+"/p?q=1", hdr, `{"a":1}`, "POST")
	var s Scratch
	defer s.Close()
	for i := 0; i < 5; i++ {
		r := d.Do(context.Background(), &s)
		if r.Status != 200 || r.ServerQueue != 2*time.Millisecond || r.ServerService != 3*time.Millisecond {
			t.Fatalf("response %+v (%s)", r, r.Body)
		}
	}
	if conns.Load() != 1 {
		t.Errorf("%d connections for 5 requests, want 1 (keep-alive)", conns.Load())
	}
	hdr.Set("X-Fail", "1")
	d2 := newH1(t, srv.URL+"/p?q=1", hdr, `{"a":1}`, "POST")
	r := d2.Do(context.Background(), &s)
	if r.Status != 503 || string(r.Body) != "busy <b>now</b>" || r.Header.Get("Retry-After") != "1" {
		t.Errorf("503 response %+v body %q", r, r.Body)
	}
}

// TestH1StaleConnectionRetried: a server that closes idle keep-alive
// connections; the next request on the dead connection is resent once on a
// new one, so the user sees no error for the server's housekeeping.
func TestH1StaleConnectionRetried(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	srv.Config.IdleTimeout = 50 * time.Millisecond
	srv.Start()
	defer srv.Close()
	d := newH1(t, srv.URL, nil, "", "GET")
	var s Scratch
	defer s.Close()
	for i := 0; i < 3; i++ {
		if r := d.Do(context.Background(), &s); r.Status != 200 {
			t.Fatalf("request %d: %+v", i, r)
		}
		time.Sleep(150 * time.Millisecond) // the server closes the idle connection
	}
}

// TestH1Errors: refused, timeout, reset mid-response, cancellation.
func TestH1Errors(t *testing.T) {
	l, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := l.Addr().String()
	l.Close()
	var s Scratch
	defer s.Close()
	if r := newH1(t, "http://"+addr+"/", nil, "", "GET").Do(context.Background(), &s); r.ErrClass != result.ErrConnect {
		t.Errorf("refused: %+v", r)
	}

	hang := make(chan struct{})
	defer close(hang)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-hang:
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()
	d, _ := NewH1Doer(HTTPConfig{Method: "GET", URL: slow.URL, Timeout: 100 * time.Millisecond})
	defer d.Close()
	t0 := time.Now()
	if r := d.Do(context.Background(), &s); r.ErrClass != result.ErrTimeout || time.Since(t0) > time.Second {
		t.Errorf("timeout: %+v after %s", r, time.Since(t0))
	}
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	d2, _ := NewH1Doer(HTTPConfig{Method: "GET", URL: slow.URL, Timeout: 10 * time.Second})
	defer d2.Close()
	if r := d2.Do(ctx, &s); r.ErrClass != result.ErrCanceled {
		t.Errorf("cancel: %+v", r)
	}

	// A server that answers half a response and resets.
	rl, _ := net.Listen("tcp", "127.0.0.1:0")
	defer rl.Close()
	go func() {
		for {
			c, err := rl.Accept()
			if err != nil {
				return
			}
			br := bufio.NewReader(c)
			br.ReadString('\n')
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial"))
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	if r := newH1(t, "http://"+rl.Addr().String()+"/", nil, "", "GET").Do(context.Background(), &s); r.ErrClass != result.ErrReset {
		t.Errorf("reset: %+v %v", r, r.Err)
	}
	if !errors.Is(io.ErrUnexpectedEOF, io.ErrUnexpectedEOF) {
		t.Fatal()
	}
}

// rawServer answers every request read from a connection with resp,
// without net/http, so a benchmark measures the client alone; resp ""
// closes the connection instead (nginx's `return 444`).
func rawServer(tb testing.TB, resp string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					for {
						line, err := br.ReadSlice('\n')
						if err != nil {
							return
						}
						if len(line) <= 2 {
							break
						}
					}
					if resp == "" {
						return
					}
					if _, err := c.Write([]byte(resp)); err != nil {
						return
					}
				}
			}()
		}
	}()
	return "http://" + l.Addr().String() + "/"
}

// BenchmarkClientH1 and BenchmarkClientNetHTTP: one request through each
// client against a raw canned-response server; allocations are the
// client's alone.
func BenchmarkClientH1(b *testing.B) {
	u := rawServer(b, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: u, Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var s Scratch
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Do(context.Background(), &s); r.Status != 200 {
			b.Fatalf("%+v", r)
		}
	}
}

func BenchmarkClientNetHTTP(b *testing.B) {
	u := rawServer(b, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	d, err := NewHTTPDoer(HTTPConfig{Method: "GET", URL: u, Timeout: time.Second, MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var s Scratch
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Do(context.Background(), &s); r.Status != 200 {
			b.Fatalf("%+v", r)
		}
	}
}

func BenchmarkRoundTripH1(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer srv.Close()
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: srv.URL, Timeout: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	defer d.Close()
	var s Scratch
	defer s.Close()
	b.ReportAllocs()
	for b.Loop() {
		if r := d.Do(context.Background(), &s); r.Status != 200 {
			b.Fatalf("%+v", r)
		}
	}
}
