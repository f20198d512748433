package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestFirstLines: net/http's warnings pass the first few times, then one
// line says the rest are dropped, and nothing more is written.
func TestFirstLines(t *testing.T) {
	var b strings.Builder
	f := &firstLines{w: &b, left: 2}
	for i := range 5 {
		if n, err := fmt.Fprintf(f, "line %d\n", i); n != 7 || err != nil {
			t.Fatalf("write %d: %d, %v", i, n, err)
		}
	}
	want := "line 0\nline 1\nbploadgen: warning: net/http: more warnings of net/http's own are not shown\n"
	if b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
}
