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
