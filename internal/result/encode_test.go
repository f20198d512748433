package result

import (
	"math/rand/v2"
	"runtime"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// TestEncoderMatchesLibrary: one Encoder, reused, writes exactly the
// bytes hdrhistogram-go's Encode writes, for histograms of every shape the
// recorder makes: one value, values below the lowest discernible one and
// at the top of the range, tight and spread latencies, huge counts, runs
// of one empty bucket and of many.
func TestEncoderMatchesLibrary(t *testing.T) {
	shapes := histShapes(rand.New(rand.NewPCG(7, 0)))
	var e Encoder
	for round := range 20 {
		for k, shape := range shapes {
			p := NewPacked()
			shape(p)
			want, err := p.Encode()
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Packed(p)
			if err != nil || got != string(want) {
				t.Fatalf("round %d, shape %d: Packed differs from the library's Encode (err %v)\n got %s\nwant %s", round, k, err, got, want)
			}
			d := NewHistogram()
			p.MergeInto(d)
			wantD, _ := d.Encode(hdr.V2CompressedEncodingCookieBase)
			if gotD, err := e.Dense(d); err != nil || gotD != string(wantD) {
				t.Fatalf("round %d, shape %d: Dense differs from the library's Encode (err %v)", round, k, err)
			}
		}
	}
	if s, err := e.Packed(NewPacked()); s != "" || err != nil {
		t.Errorf("empty: %q, %v; want \"\"", s, err)
	}
	other := hdr.NewPacked(1, 1000, 2) // another geometry goes to the library
	_ = other.RecordValue(5)
	want, _ := other.Encode()
	if got, err := e.Packed(other); err != nil || got != string(want) {
		t.Errorf("another geometry: %q, %v; want the library's %q", got, err, want)
	}
}

// TestAppendZigZag: the variable-length numbers at every length, as the
// library's decoder reads them (through a one-bucket histogram's bytes).
func TestAppendZigZag(t *testing.T) {
	for _, v := range []int64{0, 1, -1, 63, 64, -64, 1 << 20, -(1 << 40), 1<<62 - 1, -1 << 63} {
		b := appendZigZag(nil, v)
		// Decode by the format: 7 bits a byte, low first; the 9th byte whole.
		var u uint64
		for i, c := range b {
			if i == 8 {
				u |= uint64(c) << 56
				break
			}
			u |= uint64(c&0x7f) << (7 * i)
		}
		if got := int64(u>>1) ^ -int64(u&1); got != v || len(b) > 9 {
			t.Errorf("appendZigZag(%d) = % x, reads back %d", v, b, got)
		}
	}
}

// BenchmarkEncode: a window's latency histogram, by the library and by a
// reused Encoder.
func BenchmarkEncode(b *testing.B) {
	_, h := encodedSample(b, 1, 2000)
	p := NewPacked()
	p.MergeFrom(h)
	b.Run("library", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := p.Encode(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("encoder", func(b *testing.B) {
		b.ReportAllocs()
		var e Encoder
		for b.Loop() {
			if _, err := e.Packed(p); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// histShapes are histograms of every shape the recorder makes, as
// functions that record one into p: one value, values below the lowest
// discernible one and at the top of the range, tight and spread
// latencies, huge counts, runs of one empty bucket and of many.
func histShapes(rng *rand.Rand) []func(p *hdr.PackedHistogram) {
	return []func(p *hdr.PackedHistogram){
		func(p *hdr.PackedHistogram) { _ = p.RecordValue(0) },
		func(p *hdr.PackedHistogram) { _ = p.RecordValue(HDRHighestNS) },
		func(p *hdr.PackedHistogram) { _ = p.RecordValues(999, 1<<40) },
		func(p *hdr.PackedHistogram) { _ = p.RecordValues(1_000_000, 3); _ = p.RecordValue(1_001_000) },
		func(p *hdr.PackedHistogram) { _ = p.RecordValue(1_000_000); _ = p.RecordValue(1_002_000) }, // one empty bucket between
		func(p *hdr.PackedHistogram) {
			for range 2000 {
				_ = p.RecordValue(int64(50_000 + rng.ExpFloat64()*100_000))
			}
		},
		func(p *hdr.PackedHistogram) {
			for range 500 {
				_ = p.RecordValue(int64(rng.Float64() * float64(HDRHighestNS)))
			}
		},
		func(p *hdr.PackedHistogram) {
			for range 300 {
				_ = p.RecordValues(int64(1e3*rng.ExpFloat64()*rng.ExpFloat64()*1e3), int64(rng.IntN(1<<20)+1))
			}
		},
	}
}

// TestEncoderPrepare: after Prepare, the first histogram an Encoder
// encodes allocates little (its buffers), not the zlib writer's state
// (about 1 MB), which Prepare took; and the bytes are still the
// library's.
func TestEncoderPrepare(t *testing.T) {
	p := NewPacked()
	for v := range int64(500) {
		_ = p.RecordValue(1000 + 37*v)
	}
	want, _ := p.Encode()
	var e Encoder
	if err := e.Prepare(); err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	got, err := e.Packed(p)
	runtime.ReadMemStats(&after)
	// The state Prepare takes is hundreds of KB (zlib at its best
	// compression: the window, hash chains and the Huffman tables); the
	// buffers of one small histogram are a few KB.
	const limit = 64 << 10
	if n := after.TotalAlloc - before.TotalAlloc; n > limit {
		t.Errorf("the first Packed after Prepare allocated %d bytes, want at most %d", n, limit)
	}
	if err != nil || got != string(want) {
		t.Errorf("after Prepare, Packed differs from the library's Encode (err %v)", err)
	}
}
