package result

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"sync"
)

// A run keeps one row per second of its timeline, and each row's three
// encoded histograms are most of what a row holds (about 1 KB a second
// against nginx at 2000 rps, up to 7 KB against a spread-out service):
// the part of a long run's memory that grows with its length. A Spill
// moves them off the heap into an unlinked temporary file as each window
// is sealed; the row keeps where they are, and WindowHDR.Load reads them
// back for the few readers (the JSON writer, window gates, the analysis,
// the interval log, merge).

// Spill is an append-only store of encoded histograms in a temporary file
// that nothing else can open: removed from its directory as soon as it is
// made, so that no exit, however abrupt, leaves it behind. Safe for
// concurrent use. The file is closed, and its space given back, when the
// Spill is no longer reachable: a result whose windows refer to it keeps
// it alive.
type Spill struct {
	mu  sync.Mutex
	f   *os.File
	off int64
}

// spillRef is where one encoding lies in a Spill: n bytes at off.
type spillRef struct {
	off int64
	n   int
}

// NewSpill creates a Spill in dir (the system's temporary directory when
// dir is ""). It fails where the file cannot be made, or cannot be
// removed while open (Windows): the caller then keeps the histograms in
// memory.
func NewSpill(dir string) (*Spill, error) {
	f, err := os.CreateTemp(dir, "bploadgen-timeline-*")
	if err != nil {
		return nil, fmt.Errorf("timeline spill: %w", err)
	}
	if err := os.Remove(f.Name()); err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil, fmt.Errorf("timeline spill: an open file cannot be removed here: %w", err)
	}
	s := &Spill{f: f}
	runtime.AddCleanup(s, func(f *os.File) { f.Close() }, f)
	return s, nil
}

// put appends enc and says where it went.
func (s *Spill) put(enc string) (spillRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.f.WriteAt([]byte(enc), s.off)
	if err != nil {
		return spillRef{}, fmt.Errorf("timeline spill: %w", err)
	}
	ref := spillRef{off: s.off, n: n}
	s.off += int64(n)
	return ref, nil
}

// get reads an encoding back.
func (s *Spill) get(ref spillRef) (string, error) {
	b := make([]byte, ref.n)
	if _, err := s.f.ReadAt(b, ref.off); err != nil {
		return "", fmt.Errorf("timeline spill: %w", err)
	}
	return string(b), nil
}

// HDR stores a window's three encodings and returns the WindowHDR that
// refers to them; an encoding that equals the one before it (latency_2xx
// of a window whose responses were all 2xx) is stored once. On a write
// error the encodings stay in memory, in the WindowHDR, and the error is
// returned with it: nothing is lost.
func (s *Spill) HDR(latency, latency2xx, service string) (WindowHDR, error) {
	in := WindowHDR{Latency: latency, Latency2xx: latency2xx, ServiceTime: service}
	if s == nil {
		return in, nil
	}
	out := WindowHDR{spill: s}
	for i, enc := range [3]string{latency, latency2xx, service} {
		switch {
		case enc == "":
			continue
		case i > 0 && enc == in.field(i-1):
			out.at[i] = out.at[i-1]
			continue
		}
		ref, err := s.put(enc)
		if err != nil {
			return in, err
		}
		out.at[i] = ref
	}
	return out, nil
}

// field is the i-th encoding held in memory: latency, latency_2xx,
// service_time.
func (h *WindowHDR) field(i int) string {
	return [3]string{h.Latency, h.Latency2xx, h.ServiceTime}[i]
}

// Spilled reports whether the encodings are in a Spill, not in the
// fields.
func (h WindowHDR) Spilled() bool { return h.spill != nil }

// Load returns the window's histograms with every encoding in its field:
// h itself when they are in memory, else read back from the Spill.
func (h WindowHDR) Load() (WindowHDR, error) {
	if h.spill == nil {
		return h, nil
	}
	var out WindowHDR
	for i, p := range [3]*string{&out.Latency, &out.Latency2xx, &out.ServiceTime} {
		if h.at[i].n == 0 {
			continue
		}
		enc, err := h.spill.get(h.at[i])
		if err != nil {
			return WindowHDR{}, err
		}
		*p = enc
	}
	return out, nil
}

// Latency2xxEnc is the latency_2xx encoding wherever it is kept, read
// alone (the analysis reads no other).
func (h WindowHDR) Latency2xxEnc() (string, error) {
	if h.spill == nil || h.at[1].n == 0 {
		return h.Latency2xx, nil
	}
	return h.spill.get(h.at[1])
}

// MarshalJSON writes the encodings wherever they are kept.
func (h WindowHDR) MarshalJSON() ([]byte, error) {
	l, err := h.Load()
	if err != nil {
		return nil, err
	}
	type plain WindowHDR // without this method
	return json.Marshal(plain(l))
}
