package openloop

import "testing"

func TestBufClass(t *testing.T) {
	for _, c := range []struct{ n, class int }{
		{0, 0}, {1, 0}, {512, 0}, {513, 1}, {1024, 1}, {1025, 2},
		{H1MaxHeaderBytes, 11}, {H1MaxHeaderBytes + 64<<10, 12}, {2 << 20, 12}, {2<<20 + 1, 13},
	} {
		if got := bufClass(c.n); got != c.class {
			t.Errorf("bufClass(%d) = %d, want %d", c.n, got, c.class)
		}
	}
}

// TestBufPoolBound (item 15): whatever the order of loans and returns,
// what the pool lends and keeps together never passes its limit, a loan
// that would pass it is refused and counted, and a return makes room again.
func TestBufPoolBound(t *testing.T) {
	p := bufPool{limit: 64 << 10}
	check := func(what string) {
		t.Helper()
		if p.lent+p.kept > p.limit || p.lent < 0 || p.kept < 0 || p.kept > p.limit/16 {
			t.Fatalf("%s: lent %d kept %d, limit %d", what, p.lent, p.kept, p.limit)
		}
	}
	var held [][]byte
	for i := 0; ; i++ {
		b, ok := p.get(3000) // a 4 KiB class
		check("get")
		if !ok {
			if i != 16 || p.refused != 1 {
				t.Fatalf("refused after %d loans (refusals %d); 16 of 4 KiB fit 64 KiB", i, p.refused)
			}
			break
		}
		if cap(b) != 4096 || len(b) != 0 {
			t.Fatalf("len %d cap %d", len(b), cap(b))
		}
		held = append(held, b)
	}
	if _, ok := p.get(1); ok || p.refused != 2 {
		t.Fatal("a full pool lent a buffer")
	}
	p.put(held[0])
	check("put")
	if p.kept != 4096 {
		t.Fatalf("kept %d, want the returned 4 KiB (a sixteenth of the limit)", p.kept)
	}
	b, ok := p.get(100) // a 512 B class: the kept 4 KiB buffer goes to make room
	check("get after put")
	if !ok || cap(b) != 512 || p.kept != 0 {
		t.Fatalf("ok %v cap %d kept %d", ok, cap(b), p.kept)
	}
	p.put(b)
	for _, b := range held[1:] {
		p.put(b)
		check("put all")
	}
	if p.lent != 0 || p.peak != 64<<10 {
		t.Fatalf("lent %d peak %d", p.lent, p.peak)
	}
	if _, ok := p.get(4 << 20); ok {
		t.Fatal("a buffer beyond the largest class was lent")
	}
	if (&bufPool{}).max() != DefaultLoopBufferBytes {
		t.Fatal("the zero pool's limit is not the default")
	}
}
