package replay

import (
	"fmt"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/mix"
)

// TestReplaySet: a log of 150 paths, each seen 40 times, keeps 150
// distinct requests (not 6000), and its set reports 100 names and other.
func TestReplaySet(t *testing.T) {
	var b strings.Builder
	for i := range 6000 {
		fmt.Fprintf(&b, `{"time": %d.%03d, "url": "/p%d?i=%d", "body": "same body"}`+"\n", 1000+i/100, i%100*10, i%150, i%150)
	}
	l, err := ParseJSON("l", strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Requests) != 150 || len(l.Times) != 6000 {
		t.Fatalf("%d requests, %d arrivals", len(l.Requests), len(l.Times))
	}
	s, err := mix.Build(mix.Spec{Base: "http://127.0.0.1:1/", Requests: l.Requests, Literal: true})
	if err != nil {
		t.Fatal(err)
	}
	names := s.Names()
	if len(names) != mix.MaxNames+1 || names[0] != "GET /p0" || names[mix.MaxNames] != mix.Other {
		t.Fatalf("%d names: %q … %q", len(names), names[0], names[len(names)-1])
	}
	out, ok := s.AppendHTTP1(int(l.Index[151]), 151, nil)
	if !ok || !strings.HasPrefix(string(out), "GET /p1?i=1 HTTP/1.1\r\n") || s.NameOf(int(l.Index[151])) != 1 {
		t.Errorf("arrival 151: %q", out)
	}
}

// TestReplayRender: with the log's arrivals set, arrival i renders the
// logged request i, and the set's limit is the log's length.
func TestReplayRender(t *testing.T) {
	l, err := ParseJSON("l", strings.NewReader(`{"time": 2, "url": "/b"}`+"\n"+`{"time": 1, "method": "POST", "url": "/a", "body": "x"}`+"\n"+`{"time": 3, "url": "/b"}`))
	if err != nil {
		t.Fatal(err)
	}
	s, err := mix.Build(mix.Spec{Base: "http://127.0.0.1:1/", Requests: l.Requests, Literal: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetArrivals(l.Index); err != nil {
		t.Fatal(err)
	}
	var got []string
	for seq := uint64(0); seq < 3; seq++ {
		_, out, ok := s.Render(seq, nil)
		line, _, _ := strings.Cut(string(out), "\r\n")
		if !ok {
			t.Fatalf("arrival %d not rendered", seq)
		}
		got = append(got, line)
	}
	if strings.Join(got, "|") != "POST /a HTTP/1.1|GET /b HTTP/1.1|GET /b HTTP/1.1" {
		t.Errorf("rendered %q", got)
	}
	if _, out, ok := s.Render(3, nil); ok || len(out) != 0 {
		t.Errorf("arrival past the log rendered %q", out)
	}
	if n, ok := s.Limit(); !ok || n != 3 {
		t.Errorf("Limit = %d %v", n, ok)
	}
	if err := s.SetArrivals([]uint32{7}); err == nil {
		t.Error("an index past the requests accepted")
	}
}
