package openloop

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"syscall"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/result"
	"github.com/bploadgen/bploadgen/internal/schedule"
)

func TestParseServerTiming(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		in         string
		queue, svc time.Duration
	}{
		{"queue;dur=1.5, svc;dur=10", 1500 * time.Microsecond, 10 * ms},
		{`svc;desc="x";dur=2`, -1, 2 * ms},
		{"queue;dur=0, svc;dur=0.25", 0, 250 * time.Microsecond},
		{"db;dur=5, cache;dur=1", -1, -1},
		{"svc;dur=-1", -1, -1},
		{"svc;dur=abc, queue", -1, -1},
		{"", -1, -1},
		{"svc ; DUR = 3 ", -1, 3 * ms},
	}
	for _, tt := range tests {
		q, s := ParseServerTiming(tt.in)
		if q != tt.queue || s != tt.svc {
			t.Errorf("ParseServerTiming(%q) = %v, %v; want %v, %v", tt.in, q, s, tt.queue, tt.svc)
		}
	}
}

func FuzzParseServerTiming(f *testing.F) {
	for _, s := range []string{"queue;dur=1.5, svc;dur=10", "svc;dur=1e308", ";;,,", "svc;dur=NaN", "queue;dur=\"3\""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, v := ParseServerTiming(s)
		if q < -1 || v < -1 {
			t.Fatalf("negative duration %v %v", q, v)
		}
	})
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{context.DeadlineExceeded, result.ErrTimeout},
		{&url.Error{Op: "Get", URL: "http://x", Err: context.DeadlineExceeded}, result.ErrTimeout},
		{context.Canceled, result.ErrCanceled},
		{&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}, result.ErrConnect},
		{&net.DNSError{Err: "no such host", Name: "x"}, result.ErrConnect},
		{&net.OpError{Op: "read", Err: syscall.ECONNRESET}, result.ErrReset},
		{fmt.Errorf("wrapped: %w", io.EOF), result.ErrReset},
		{io.ErrUnexpectedEOF, result.ErrReset},
		{errors.New("malformed HTTP response"), result.ErrOther},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

// TestConnectionRefused: a closed port gives connect errors, accounted for.
func TestConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, mode := range modes {
		rec, _ := runAgainst(t, context.Background(), "http://"+addr+"/", runSpec{
			segs: []schedule.Segment{{Duration: 200 * time.Millisecond, From: 50, To: 50}}, mode: mode})
		checkConservation(t, rec)
		if rec.Total.Errors[result.ErrConnect] != 10 {
			t.Errorf("mode %q: errors %v", mode, rec.Total.Errors)
		}
		if rec.Samples == nil || rec.Samples.Errors[result.ErrConnect] == "" {
			t.Errorf("mode %q: no error sample: %+v", mode, rec.Samples)
		}
	}
}
