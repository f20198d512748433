package result

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// encodedSample is an encoded histogram of n lognormal-ish latencies
// around 100 µs (seeded), and the dense histogram it encodes.
func encodedSample(t testing.TB, seed uint64, n int) (string, *hdr.Histogram) {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0))
	h := NewHistogram()
	for range n {
		v := int64(100_000 * (1 + rng.ExpFloat64()*rng.ExpFloat64()))
		if err := h.RecordValue(v); err != nil {
			t.Fatal(err)
		}
	}
	s, err := EncodeHist(h)
	if err != nil {
		t.Fatal(err)
	}
	return s, h
}

// TestDecodeHistExact: the sparse path (DecodePacked, MergeInto) gives
// back exactly the histogram encoded, bucket for bucket, as the dense
// decoder does, and the sparse form's mean (meanSeries reads it) is the
// dense one's to the bit.
func TestDecodeHistExact(t *testing.T) {
	for seed := range uint64(5) {
		s, want := encodedSample(t, seed, 2000)
		got, err := DecodeHist(s)
		if err != nil {
			t.Fatal(err)
		}
		dense, err := hdr.Decode([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range []*hdr.Histogram{got, dense} {
			if !slices.Equal(h.Export().Counts, want.Export().Counts) || h.TotalCount() != want.TotalCount() {
				t.Fatalf("seed %d: decoded counts differ from the encoded histogram's", seed)
			}
		}
		p, err := DecodePacked(s)
		if err != nil {
			t.Fatal(err)
		}
		if p.Mean() != want.Mean() {
			t.Errorf("seed %d: sparse mean %v, dense mean %v", seed, p.Mean(), want.Mean())
		}
	}
	if h, err := DecodeHist(""); err != nil || h.TotalCount() != 0 {
		t.Errorf(`DecodeHist("") = %v, %v; want an empty histogram`, h, err)
	}
}

// TestMergeEncodedOutOfRange: a histogram of another geometry whose values
// lie beyond the shared range (1 h) is refused, not clamped; one whose
// values fit is merged exactly.
func TestMergeEncodedOutOfRange(t *testing.T) {
	wide := hdr.New(1, 10*HDRHighestNS, HDRSigFigs)
	_ = wide.RecordValue(2 * HDRHighestNS)
	b, err := wide.Encode(hdr.V2CompressedEncodingCookieBase)
	if err != nil {
		t.Fatal(err)
	}
	if err := MergeEncoded(NewHistogram(), string(b)); err == nil || !strings.Contains(err.Error(), "outside the shared range") {
		t.Errorf("a value past the range: err = %v, want 'outside the shared range'", err)
	}
	if _, err := DecodeHist("not a histogram"); err == nil {
		t.Error("garbage decoded without an error")
	}
	fits := hdr.New(1, 10*HDRHighestNS, HDRSigFigs)
	_ = fits.RecordValues(5_000_000, 3)
	b, _ = fits.Encode(hdr.V2CompressedEncodingCookieBase)
	s1, h1 := encodedSample(t, 9, 100)
	dst := NewHistogram()
	if err := MergeEncoded(dst, s1, "", string(b)); err != nil {
		t.Fatal(err)
	}
	if dst.TotalCount() != h1.TotalCount()+3 || dst.Max() < 5_000_000 {
		t.Errorf("merged %d values, want %d", dst.TotalCount(), h1.TotalCount()+3)
	}
}

// TestMergeEncodedSparse: merging a window's histogram into a reused dense
// one allocates a small fraction of a dense histogram (the long runs'
// analysis decodes one per window; it used to decode each into a dense one
// of its own). The bound is the dense histogram's own size, halved: a dense
// decode cannot pass it, whatever the allocator's rounding.
func TestMergeEncodedSparse(t *testing.T) {
	s, _ := encodedSample(t, 1, 2000)
	dst := NewHistogram()
	const rounds = 20
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range rounds {
		if err := MergeEncoded(dst, s); err != nil {
			t.Fatal(err)
		}
	}
	runtime.ReadMemStats(&after)
	perCall := (after.TotalAlloc - before.TotalAlloc) / rounds
	if dense := uint64(NewHistogram().ByteSize()); perCall > dense/2 {
		t.Errorf("MergeEncoded allocated %d B per call; a dense histogram is %d B", perCall, dense)
	}
}

// BenchmarkDecode compares the ways to read a window's histogram: the
// package functions (a new zlib reader each) and a kept Decoder.
func BenchmarkDecode(b *testing.B) {
	s, _ := encodedSample(b, 1, 2000)
	b.Run("packed", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodePacked(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("dense", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := DecodeHist(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decoder-packed", func(b *testing.B) {
		b.ReportAllocs()
		var d Decoder
		for b.Loop() {
			if _, err := d.Packed(s); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decoder-merge", func(b *testing.B) { // into a reused dense histogram, as analyze's batches
		b.ReportAllocs()
		var d Decoder
		h := NewHistogram()
		for b.Loop() {
			h.Reset()
			if err := d.Merge(h, s); err != nil {
				b.Fatal(err)
			}
		}
	})
}
