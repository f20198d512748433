package result

import (
	"bytes"
	"encoding/json"
	"os"
	"runtime"
	"testing"
	"time"
)

// A spilled WindowHDR holds nothing in its fields, reads back what was
// stored, and writes the same JSON as the same encodings held in memory.
func TestSpillRoundTrip(t *testing.T) {
	s, err := NewSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	in := WindowHDR{Latency: "HISTFAAAAB", Latency2xx: "HISTFAAAAC", ServiceTime: ""}
	h, err := s.HDR(in.Latency, in.Latency2xx, in.ServiceTime)
	if err != nil {
		t.Fatal(err)
	}
	if !h.Spilled() || h.Latency != "" || h.Latency2xx != "" {
		t.Fatalf("spilled %v, fields %q %q: want the encodings out of the fields", h.Spilled(), h.Latency, h.Latency2xx)
	}
	got, err := h.Load()
	if err != nil {
		t.Fatal(err)
	}
	if got != in {
		t.Errorf("loaded %+v, want %+v", got, in)
	}
	if enc, err := h.Latency2xxEnc(); err != nil || enc != in.Latency2xx {
		t.Errorf("Latency2xxEnc %q, %v; want %q", enc, err, in.Latency2xx)
	}
	a, err1 := json.Marshal(Window{TS: 1, HDR: h})
	b, err2 := json.Marshal(Window{TS: 1, HDR: in})
	if err1 != nil || err2 != nil || !bytes.Equal(a, b) {
		t.Errorf("spilled JSON %s (%v), in memory %s (%v)", a, err1, b, err2)
	}
	// A nil Spill keeps them in memory.
	if m, err := (*Spill)(nil).HDR(in.Latency, in.Latency2xx, in.ServiceTime); err != nil || m != in || m.Spilled() {
		t.Errorf("nil spill: %+v, %v", m, err)
	}
}

// An encoding equal to the one before it (latency_2xx of an all-2xx
// window) is stored once.
func TestSpillStoresRepeatOnce(t *testing.T) {
	s, err := NewSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h, err := s.HDR("AAAA", "AAAA", "BB")
	if err != nil {
		t.Fatal(err)
	}
	if s.off != 6 || h.at[0] != h.at[1] {
		t.Errorf("stored %d bytes, refs %+v: want 6, latency_2xx sharing latency's", s.off, h.at)
	}
	if got, _ := h.Load(); got.Latency2xx != "AAAA" || got.ServiceTime != "BB" {
		t.Errorf("loaded %+v", got)
	}
}

// The spill's file is gone from its directory at once, and its descriptor
// is closed once nothing refers to the Spill.
func TestSpillLeavesNothingBehind(t *testing.T) {
	dir := t.TempDir()
	s, err := NewSpill(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.HDR("x", "", ""); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 0 {
		t.Errorf("%d files left in the directory: %v", len(ents), ents)
	}
	f := s.f
	s = nil
	closed := false
	for range 50 { // the cleanup runs after a collection, on its own goroutine
		runtime.GC()
		if _, err := f.Stat(); err != nil {
			closed = true
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if !closed {
		t.Errorf("the spill's file is still open after it became unreachable")
	}
}

// A Spill that cannot be written keeps the encodings in memory and says
// so: nothing is lost.
func TestSpillWriteErrorKeepsThem(t *testing.T) {
	s, err := NewSpill(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.f.Close()
	h, err := s.HDR("AAAA", "", "BB")
	if err == nil || h.Spilled() || h.Latency != "AAAA" || h.ServiceTime != "BB" {
		t.Errorf("after a write error: %+v, %v; want the encodings in memory and the error", h, err)
	}
}
