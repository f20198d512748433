package openloop

import (
	"context"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// TestLoopSlowHeadsMemory (item 15): 1,000 connections each receive a
// 15 KB header block in ten pieces over about a second, all at once.
// The loop parses each header line as it completes, so a connection holds
// at most a partial line (under 100 bytes) between reads, never the whole
// block. Measured without any head buffering, the run costs 10–13 KiB of
// heap per connection (both ends' sockets and runtime state, the server's
// 1 KiB read buffer, the loopConn); holding each half-received block, as
// before this change, adds its 7.5 KiB and its append growth (30 KiB per
// connection measured). The bound, 20 KiB per connection, lies between.
func TestLoopSlowHeadsMemory(t *testing.T) {
	if !EventLoopSupported {
		t.Skip("the event loop needs Linux")
	}
	if testing.Short() {
		t.Skip("1,000 connections")
	}
	const conns = 1000
	line := "X-Pad: " + strings.Repeat("p", 90) + "\r\n" // 99 bytes
	piece := strings.Repeat(line, 15)                    // ~1.5 KB; ten pieces make the head
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var open []net.Conn
	defer func() {
		l.Close()
		mu.Lock()
		for _, c := range open {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			open = append(open, c)
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				var req [1024]byte
				if _, err := c.Read(req[:]); err != nil {
					return
				}
				c.Write([]byte("HTTP/1.1 200 OK\r\n"))
				for i := 0; i < 10; i++ {
					time.Sleep(100 * time.Millisecond)
					if _, err := c.Write([]byte(piece)); err != nil {
						return
					}
				}
				c.Write([]byte("Content-Length: 0\r\nConnection: close\r\n\r\n"))
				c.Close()
			}()
		}
	}()

	s, err := schedule.New([]schedule.Segment{{Duration: 250 * time.Millisecond, From: 4 * conns, To: 4 * conns}}, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: "http://" + l.Addr().String() + "/", Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	e, err := New(Config{Schedule: s, Doer: d, MaxInFlight: 2 * conns, EventLoop: true})
	if err != nil {
		t.Fatal(err)
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	// Sample the heap half-way through the heads (0.5 s into the run).
	peak := make(chan uint64, 1)
	go func() {
		time.Sleep(600 * time.Millisecond)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		peak <- m.HeapInuse
	}()
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	if rec.Total.Status["200"] != conns {
		t.Fatalf("status %v errors %v", rec.Total.Status, rec.Total.Errors)
	}
	grown := int64(<-peak) - int64(before.HeapInuse)
	t.Logf("heap in use grew by %d bytes (%d per connection) half-way through", grown, grown/conns)
	if grown > conns*20<<10 {
		t.Errorf("heap grew by %d bytes for %d connections", grown, conns)
	}
}
