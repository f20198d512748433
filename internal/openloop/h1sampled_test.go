package openloop

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/schedule"
)

// keptCounter counts the responses whose head the h1 client kept.
type keptCounter struct {
	*H1Doer
	mu   sync.Mutex
	kept map[int]int64
}

func (k *keptCounter) Do(ctx context.Context, s *Scratch) Response {
	r := k.H1Doer.Do(ctx, s)
	if r.Header != nil {
		k.mu.Lock()
		k.kept[r.Status]++
		k.mu.Unlock()
	}
	return r
}

// shedServer answers every request 503 but the fifth, 429, each with its
// number in X-Seq and the body "busy".
func shedServer(t *testing.T) *hostileServer {
	var seq atomic.Int64
	return newHostileServer(t, func(r hreq, c net.Conn, _ *bufio.Reader) bool {
		n := seq.Add(1)
		status := "503 Busy"
		if n == 5 {
			status = "429 Slow Down"
		}
		write(c, fmt.Sprintf("HTTP/1.1 %s\r\nX-Seq: %d\r\nContent-Length: 4\r\n\r\nbusy", status, n))
		return true
	})
}

// TestWorkersKeepOneHeadPerStatus: the h1 workers, like the event loop
// (TestLoopKeepsOneHeadPerStatus), keep a non-2xx response's head and
// body start only until the recorder holds a sample of its status, not
// one per response. The samples are whole.
func TestWorkersKeepOneHeadPerStatus(t *testing.T) {
	srv := shedServer(t)
	s, err := schedule.New([]schedule.Segment{{Duration: time.Second, From: 20, To: 20}}, schedule.Uniform, nil, 0, schedule.Shard{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewH1Doer(HTTPConfig{Method: "GET", URL: srv.url, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	k := &keptCounter{H1Doer: d, kept: map[int]int64{}}
	e, err := New(Config{Schedule: s, Doer: k, MaxInFlight: 10000})
	if err != nil {
		t.Fatal(err)
	}
	rec := e.Run(context.Background())
	checkConservation(t, rec)
	tot := rec.Total
	if tot.Status["503"] < 10 || tot.Status["429"] != 1 {
		t.Fatalf("status %v errors %v", tot.Status, tot.Errors)
	}
	// A worker marks a status after recording its response; a head is
	// kept again only by a response read before that, and the requests
	// are 50 ms apart, so each extra head needs a stall of 50 ms between
	// a read and its marking: half the 503s keeping theirs is far past
	// any such stall, and without the marking every one does.
	if k.kept[503] < 1 || k.kept[503] > tot.Status["503"]/2 || k.kept[429] != 1 {
		t.Errorf("heads kept %v for %v: want each status kept about once", k.kept, tot.Status)
	}
	sm := rec.Samples
	if sm == nil || sm.Responses["503"].Headers["X-Seq"] == "" || sm.Responses["503"].Body != "busy" || sm.Responses["429"].Headers["X-Seq"] != "5" {
		t.Errorf("samples %+v", sm)
	}
}
