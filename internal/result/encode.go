package result

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Encoder writes histograms of the shared geometry in the V2 compressed
// encoding, byte for byte what hdrhistogram-go's Encode writes
// (TestEncoderMatchesLibrary), with one zlib writer and its buffers kept
// from one histogram to the next: the library builds a new writer for
// each, about 1 MB of state, which a run's recorder (three histograms a
// second) and a capacity search (thousands of sub-stage histograms) turned
// into most of their allocations. Histograms of another geometry go to the
// library. The zero value is ready; an Encoder is not safe for concurrent
// use.
type Encoder struct {
	zw     *zlib.Writer
	zbuf   bytes.Buffer
	raw    []byte // the inner header and the counts
	out    []byte // the outer header and the compressed stream
	packed *hdr.PackedHistogram
}

// The V2 encoding (HdrHistogram's format, as hdrhistogram-go writes it):
// a 40-byte header then the counts, compressed, after an 8-byte header.
const (
	v2Cookie           = 0x1c849303 | 0x10
	v2CompressedCookie = 0x1c849304 | 0x10
	v2HeaderSize       = 40
)

// The index geometry of HDRLowestNS and HDRSigFigs: values below 2048
// units (2^unitMagnitude ns) share bucket 0; each bucket doubles.
const (
	unitMagnitude      = 9  // ⌊log2 HDRLowestNS⌋
	subBucketHalfMag   = 10 // ⌈log2(2·10^HDRSigFigs)⌉ − 1
	subBucketHalfCount = 1 << subBucketHalfMag
	subBucketMask      = (2*subBucketHalfCount - 1) << unitMagnitude
)

// countsIndex is the position of v's bucket in the counts array.
func countsIndex(v int64) int64 {
	bucket := int64(64-bits.LeadingZeros64(uint64(v)|subBucketMask)) - unitMagnitude - (subBucketHalfMag + 1)
	sub := v >> (bucket + unitMagnitude)
	return (bucket+1)<<subBucketHalfMag + sub - subBucketHalfCount
}

// shared reports whether p has the shared geometry.
func shared(p *hdr.PackedHistogram) bool {
	return p.LowestTrackableValue() == HDRLowestNS && p.HighestTrackableValue() == HDRHighestNS &&
		p.SignificantFigures() == HDRSigFigs
}

// Prepare allocates the encoder's zlib state (about 1 MB) now rather than
// at its first histogram, so that a caller can take that allocation out
// of a timed section (the recorder: before the start of a run).
func (e *Encoder) Prepare() error {
	if e.zw != nil {
		return nil
	}
	zw, err := zlib.NewWriterLevel(&e.zbuf, zlib.BestCompression)
	if err != nil {
		return fmt.Errorf("encode histogram: %w", err)
	}
	// The writer makes its compressor at its first write (the header).
	if _, err := zw.Write(nil); err != nil {
		return fmt.Errorf("encode histogram: %w", err)
	}
	e.zw = zw
	return nil
}

// Packed encodes p ("" when empty, as EncodePacked).
func (e *Encoder) Packed(p *hdr.PackedHistogram) (string, error) {
	if p == nil || p.TotalCount() == 0 {
		return "", nil
	}
	if !shared(p) {
		b, err := p.Encode()
		if err != nil {
			return "", fmt.Errorf("encode histogram: %w", err)
		}
		return string(b), nil
	}
	raw := append(e.raw[:0], make([]byte, v2HeaderSize)...)
	// The counts from index 0 to the last bucket used: a count as a ZigZag
	// LEB128 number, a run of n > 1 empty buckets as −n.
	next := int64(0)
	for v, n := range p.ForEachBucket {
		i := countsIndex(v)
		switch gap := i - next; {
		case gap == 1:
			raw = appendZigZag(raw, 0)
		case gap > 1:
			raw = appendZigZag(raw, -gap)
		}
		raw = appendZigZag(raw, n)
		next = i + 1
	}
	binary.BigEndian.PutUint32(raw[0:], v2Cookie)
	binary.BigEndian.PutUint32(raw[4:], uint32(len(raw)-v2HeaderSize))
	binary.BigEndian.PutUint32(raw[8:], 0) // normalizing index offset
	binary.BigEndian.PutUint32(raw[12:], HDRSigFigs)
	binary.BigEndian.PutUint64(raw[16:], HDRLowestNS)
	binary.BigEndian.PutUint64(raw[24:], HDRHighestNS)
	binary.BigEndian.PutUint64(raw[32:], math.Float64bits(1)) // integer to double ratio
	e.raw = raw

	if err := e.Prepare(); err != nil {
		return "", err
	}
	e.zbuf.Reset()
	e.zw.Reset(&e.zbuf)
	if _, err := e.zw.Write(raw); err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	if err := e.zw.Close(); err != nil {
		return "", fmt.Errorf("encode histogram: %w", err)
	}
	out := binary.BigEndian.AppendUint32(e.out[:0], v2CompressedCookie)
	out = binary.BigEndian.AppendUint32(out, uint32(e.zbuf.Len()))
	out = append(out, e.zbuf.Bytes()...)
	e.out = out
	return base64.StdEncoding.EncodeToString(out), nil
}

// Dense encodes h ("" when empty, as EncodeHist), through one sparse
// histogram kept for the purpose.
func (e *Encoder) Dense(h *hdr.Histogram) (string, error) {
	if h == nil || h.TotalCount() == 0 {
		return "", nil
	}
	if h.LowestTrackableValue() != HDRLowestNS || h.HighestTrackableValue() != HDRHighestNS || h.SignificantFigures() != HDRSigFigs {
		b, err := h.Encode(hdr.V2CompressedEncodingCookieBase)
		if err != nil {
			return "", fmt.Errorf("encode histogram: %w", err)
		}
		return string(b), nil
	}
	if e.packed == nil {
		e.packed = NewPacked()
	}
	e.packed.Reset()
	if dropped := e.packed.MergeFrom(h); dropped != 0 {
		return "", fmt.Errorf("encode histogram: %d values outside the shared range", dropped)
	}
	return e.Packed(e.packed)
}

// appendZigZag appends v as HdrHistogram's ZigZag LEB128-64b9B: seven
// bits a byte, low first, the high bit set while more follow, and a ninth
// byte, if any, of eight bits.
func appendZigZag(b []byte, v int64) []byte {
	u := uint64(v<<1) ^ uint64(v>>63)
	for i := 0; i < 8; i++ {
		if u>>7 == 0 {
			return append(b, byte(u))
		}
		b = append(b, byte(u)|0x80)
		u >>= 7
	}
	return append(b, byte(u))
}
