package result

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	hdr "github.com/HdrHistogram/hdrhistogram-go"

	"github.com/bploadgen/bploadgen/internal/result/resulttest"
)

// TestValueFromIndex: valueFromIndex is countsIndex's inverse over the
// whole counts array, each value is where the library says its bucket
// starts, and countsLen is the library's: the last index records, the
// next one is past the range.
func TestValueFromIndex(t *testing.T) {
	p := NewPacked()
	for i := range int64(countsLen) {
		v := valueFromIndex(i)
		if got := countsIndex(v); got != i {
			t.Fatalf("countsIndex(valueFromIndex(%d) = %d) = %d", i, v, got)
		}
		if err := p.RecordValue(v); err != nil {
			t.Fatalf("index %d, value %d: %v", i, v, err)
		}
	}
	i := int64(0)
	for v := range p.ForEachBucket {
		if v != valueFromIndex(i) {
			t.Fatalf("the library's bucket %d starts at %d, valueFromIndex says %d", i, v, valueFromIndex(i))
		}
		i++
	}
	if i != countsLen {
		t.Fatalf("%d buckets, want countsLen = %d", i, countsLen)
	}
	if err := NewPacked().RecordValue(valueFromIndex(countsLen)); err == nil {
		t.Errorf("valueFromIndex(countsLen) = %d recorded: countsLen is short of the library's", valueFromIndex(countsLen))
	}
}

// buckets lists p's buckets as (value, count) pairs.
func buckets(p *hdr.PackedHistogram) [][2]int64 {
	var out [][2]int64
	for v, n := range p.ForEachBucket {
		out = append(out, [2]int64{v, n})
	}
	return out
}

// sameDecode decodes s with d and with the library and fails unless both
// refuse it or both give the same histogram: buckets, total, and
// encoding (which holds the geometry).
func sameDecode(t *testing.T, d *Decoder, s string) {
	t.Helper()
	got, gerr := d.Packed(s)
	want, werr := hdr.DecodePacked([]byte(s))
	if s == "" {
		want, werr = NewPacked(), nil
	}
	if (gerr == nil) != (werr == nil) {
		t.Fatalf("%.60q: Decoder err %v, library err %v", s, gerr, werr)
	}
	if gerr != nil {
		return
	}
	if got.TotalCount() != want.TotalCount() || !slices.Equal(buckets(got), buckets(want)) {
		t.Fatalf("%.60q: Decoder %d values in %d buckets, library %d in %d", s, got.TotalCount(), len(buckets(got)), want.TotalCount(), len(buckets(want)))
	}
	ge, err1 := got.Encode()
	we, err2 := want.Encode()
	if err1 != nil || err2 != nil || !bytes.Equal(ge, we) {
		t.Fatalf("%.60q: the decoded histograms encode differently (%v, %v)", s, err1, err2)
	}
	for _, fill := range []int64{0, math.MaxInt64 - 5} { // an empty dst, and one that overflows
		sameMerge(t, d, s, want, fill)
	}
}

// sameMerge merges s into a dense histogram holding fill values with
// d.Merge and, as the library does it, want (s decoded) with MergeInto:
// the same histogram and the same verdict.
func sameMerge(t *testing.T, d *Decoder, s string, want *hdr.PackedHistogram, fill int64) {
	t.Helper()
	got, lib := NewHistogram(), NewHistogram()
	_ = got.RecordValues(5_000, fill)
	_ = lib.RecordValues(5_000, fill)
	err := d.Merge(got, s)
	dropped := want.MergeInto(lib)
	if (err != nil) != (dropped != 0) || !got.Equals(lib) || got.TotalCount() != lib.TotalCount() {
		t.Fatalf("%.60q into %d values: Merge err %v, %d values; MergeInto dropped %d, %d values", s, fill, err, got.TotalCount(), dropped, lib.TotalCount())
	}
	// MergeIf: accept sees the decoded total; refused, nothing is added.
	checked := NewHistogram()
	_ = checked.RecordValues(5_000, fill)
	seen := int64(-1)
	n, err := d.MergeIf(checked, s, func(total int64) error { seen = total; return nil })
	if err != nil || n != dropped || seen != want.TotalCount() || !checked.Equals(lib) {
		t.Fatalf("%.60q into %d values: MergeIf err %v, dropped %d (MergeInto %d), accept saw %d of %d", s, fill, err, n, dropped, seen, want.TotalCount())
	}
	refused := NewHistogram()
	_ = refused.RecordValues(5_000, fill)
	no := errors.New("no")
	if n, err := d.MergeIf(refused, s, func(int64) error { return no }); err != no || n != 0 || refused.TotalCount() != fill {
		t.Fatalf("%.60q: refused, MergeIf err %v, dropped %d, %d values (want %d)", s, err, n, refused.TotalCount(), fill)
	}
}

// variants are encodings around enc a reader can meet: truncated, a
// flipped byte, trailing bytes, line breaks, and well-formed streams
// whose header or counts lie (another geometry or ratio, a payload
// length off by one, a count run past the range, totals past int64).
func variants(t testing.TB, enc string) []string {
	put32 := func(off int, v uint32) func([]byte) []byte {
		return func(b []byte) []byte { b = slices.Clone(b); binary.BigEndian.PutUint32(b[off:], v); return b }
	}
	put64 := func(off int, v uint64) func([]byte) []byte {
		return func(b []byte) []byte { b = slices.Clone(b); binary.BigEndian.PutUint64(b[off:], v); return b }
	}
	counts := func(vs ...int64) func([]byte) []byte {
		return func(b []byte) []byte {
			out := slices.Clone(b[:v2HeaderSize])
			for _, v := range vs {
				out = appendZigZag(out, v)
			}
			binary.BigEndian.PutUint32(out[4:], uint32(len(out)-v2HeaderSize))
			return out
		}
	}
	nine := func(fill, last byte) func([]byte) []byte {
		return func(b []byte) []byte {
			out := slices.Clone(b[:v2HeaderSize])
			for range 8 {
				out = append(out, fill)
			}
			out = append(out, last)
			binary.BigEndian.PutUint32(out[4:], 9)
			return out
		}
	}
	raw, _ := base64.StdEncoding.DecodeString(enc)
	out := []string{enc, enc[:len(enc)/2], enc[:len(enc)-4], enc + "AAAA", enc[:10] + "\r\n" + enc[10:], "not base64!"}
	for _, k := range []int{0, 5, 9, len(raw) / 2, len(raw) - 1} {
		b := slices.Clone(raw)
		b[k] ^= 0x55
		out = append(out, base64.StdEncoding.EncodeToString(b))
	}
	edits := []func([]byte) []byte{
		put32(0, v2Cookie^0x40), put32(4, 1<<30), put32(12, 2), put64(16, 1), put64(24, 1<<40), put64(32, math.Float64bits(2)),
		put32(8, 1), // the normalizing offset: the library ignores it
		func(b []byte) []byte { return append(slices.Clone(b), 2) }, // a byte past the payload length
		func(b []byte) []byte { return slices.Clone(b[:len(b)-1]) }, // one short of it
		counts(-countsLen+1, 5), counts(-countsLen, 5), counts(-countsLen+1, 0, 7), counts(-countsLen+1, 1, 0), // at the last index, past it
		counts(math.MaxInt64, math.MaxInt64, 3), // a total past int64
		counts(math.MinInt64, 1), counts(0, 0, 4, -3, 2),
		func(b []byte) []byte { return append(counts(3)(b), 0x80) }, // a number cut short
		nine(0xff, 0x02), nine(0x80, 0x82), // nine-byte numbers: the last byte's eight bits count
	}
	for _, e := range edits {
		out = append(out, resulttest.Rewrap(t, enc, zlib.DefaultCompression, e))
	}
	return out
}

// TestDecoderMatchesLibrary: one Decoder, reused, gives what the
// library's DecodePacked gives, histogram for histogram and refusal for
// refusal, for every shape the recorder makes and for encodings a
// hostile or damaged file holds.
func TestDecoderMatchesLibrary(t *testing.T) {
	var d Decoder
	sameDecode(t, &d, "")
	for round := range 3 {
		for k, shape := range histShapes(rand.New(rand.NewPCG(uint64(round), 0))) {
			p := NewPacked()
			shape(p)
			b, err := p.Encode()
			if err != nil {
				t.Fatal(err)
			}
			if !d.fast(string(b)) {
				t.Fatalf("round %d, shape %d: the fast path left a histogram the recorder makes to the library", round, k)
			}
			for _, s := range variants(t, string(b)) {
				if !t.Run("", func(t *testing.T) { sameDecode(t, &d, s) }) {
					t.Fatalf("round %d, shape %d", round, k)
				}
			}
		}
	}
	other := hdr.NewPacked(1, 1000, 2)
	_ = other.RecordValue(5)
	b, _ := other.Encode()
	sameDecode(t, &d, string(b))
}

// FuzzDecoder: whatever the string, the Decoder and the library agree.
func FuzzDecoder(f *testing.F) {
	for _, shape := range histShapes(rand.New(rand.NewPCG(1, 0)))[:6] {
		p := NewPacked()
		shape(p)
		b, _ := p.Encode()
		for _, s := range variants(f, string(b)) {
			f.Add(s)
		}
	}
	var d Decoder
	f.Fuzz(func(t *testing.T, s string) { sameDecode(t, &d, s) })
}
