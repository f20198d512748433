package result

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"io"
	"math"

	hdr "github.com/HdrHistogram/hdrhistogram-go"
)

// Decoder reads histograms in the V2 compressed encoding of the shared
// geometry, exactly as hdrhistogram-go's DecodePacked does
// (TestDecoderMatchesLibrary, FuzzDecoder), with one zlib reader and its
// buffers kept from one histogram to the next: the library builds a new
// reader for each, some 43 KB, which made decoding most of what analyze
// allocated (2.6 GB for a 20,000-window result). Anything the fast path
// does not take as it is (another geometry, a malformed or hostile
// encoding) goes to the library, whose verdict and histogram stand. The
// zero value is ready; a Decoder is not safe for concurrent use.
type Decoder struct {
	zr    io.ReadCloser // a zlib reader, reset for each histogram
	src   bytes.Reader
	raw   []byte     // the base64-decoded bytes
	inner []byte     // the inflated header and counts
	pairs [][2]int64 // the buckets read: counts index, count
}

// countsLen is the length of the shared geometry's counts array: buckets
// enough to cover HDRHighestNS, plus one, of subBucketHalfCount each
// (hdrhistogram-go's layout). TestValueFromIndex holds it to the library.
const countsLen = 24 * subBucketHalfCount

// valueFromIndex is the lowest value of the bucket at counts index i
// (0 ≤ i < countsLen): countsIndex's inverse.
func valueFromIndex(i int64) int64 {
	bucket := i>>subBucketHalfMag - 1
	sub := i&(subBucketHalfCount-1) + subBucketHalfCount
	if bucket < 0 {
		sub -= subBucketHalfCount
		bucket = 0
	}
	return sub << (bucket + unitMagnitude)
}

// Packed decodes s (as EncodeHist or EncodePacked write it; "" is an
// empty histogram) into the sparse form.
func (d *Decoder) Packed(s string) (*hdr.PackedHistogram, error) {
	if s == "" {
		return NewPacked(), nil
	}
	if d.fast(s) {
		p := NewPacked()
		for _, b := range d.pairs {
			_ = p.RecordValues(valueFromIndex(b[0]), b[1]) // in range, and the total fits: fast checked
		}
		return p, nil
	}
	p, err := hdr.DecodePacked([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decode histogram: %w", err)
	}
	return p, nil
}

// Merge decodes each non-empty s and adds it to dst, exactly; a value
// outside dst's range is an error. A histogram the fast path reads goes
// into dst bucket by bucket, as the library's MergeInto adds it (a bucket
// dst cannot hold is skipped and counted), without a sparse one between.
func (d *Decoder) Merge(dst *hdr.Histogram, encoded ...string) error {
	for _, s := range encoded {
		if s == "" {
			continue
		}
		if dropped, err := d.MergeIf(dst, s, nil); err != nil {
			return err
		} else if dropped != 0 {
			return fmt.Errorf("decode histogram: %d values outside the shared range", dropped)
		}
	}
	return nil
}

// MergeIf decodes s and, when accept (if not nil) takes its total count,
// adds it to dst as Merge does, returning how many values dst could not
// hold (they are skipped, the rest added). A decoding error (Packed's)
// or accept's comes before anything is added.
func (d *Decoder) MergeIf(dst *hdr.Histogram, s string, accept func(total int64) error) (dropped int64, err error) {
	sameIndexing := dst.LowestTrackableValue() == HDRLowestNS && dst.SignificantFigures() == HDRSigFigs
	if sameIndexing && s != "" && d.fast(s) {
		if accept != nil {
			var total int64
			for _, b := range d.pairs {
				total += b[1] // fits: fast checked
			}
			if err := accept(total); err != nil {
				return 0, err
			}
		}
		for _, b := range d.pairs {
			if dst.RecordValues(valueFromIndex(b[0]), b[1]) != nil {
				dropped = min(dropped, math.MaxInt64-b[1]) + b[1] // saturating, as MergeInto
			}
		}
		return dropped, nil
	}
	p, err := d.Packed(s)
	if err != nil {
		return 0, err
	}
	if accept != nil {
		if err := accept(p.TotalCount()); err != nil {
			return 0, err
		}
	}
	return p.MergeInto(dst), nil
}

// fast reads s into d.pairs when it is the shared geometry's V2 encoding,
// every check the library makes passes and the counts' total fits in an
// int64 (the library saturates it); false leaves s to the library.
func (d *Decoder) fast(s string) bool {
	n := base64.StdEncoding.DecodedLen(len(s))
	if cap(d.raw) < n {
		d.raw = make([]byte, n)
	}
	n, err := base64.StdEncoding.Decode(d.raw[:n], []byte(s))
	if err != nil || n < 8 || binary.BigEndian.Uint32(d.raw) != v2CompressedCookie {
		return false
	}
	clen := int64(int32(binary.BigEndian.Uint32(d.raw[4:])))
	if clen < 0 || clen > int64(n-8) {
		return false
	}
	return d.inflate(d.raw[8:8+clen]) && d.counts()
}

// inflate reads the compressed stream z into d.inner as the library does:
// the 40-byte header, then exactly the payload length it gives, the
// stream ending there (which checks its checksum).
func (d *Decoder) inflate(z []byte) bool {
	d.src.Reset(z)
	if d.zr == nil {
		zr, err := zlib.NewReader(&d.src)
		if err != nil {
			return false
		}
		d.zr = zr
	} else if err := d.zr.(zlib.Resetter).Reset(&d.src, nil); err != nil {
		return false
	}
	if cap(d.inner) < v2HeaderSize {
		d.inner = make([]byte, v2HeaderSize, 4096)
	}
	h := d.inner[:v2HeaderSize]
	if _, err := io.ReadFull(d.zr, h); err != nil {
		return false
	}
	payload := int64(int32(binary.BigEndian.Uint32(h[4:])))
	if binary.BigEndian.Uint32(h) != v2Cookie || payload < 0 || payload > countsLen*9 ||
		int32(binary.BigEndian.Uint32(h[12:])) != HDRSigFigs ||
		int64(binary.BigEndian.Uint64(h[16:])) != HDRLowestNS || int64(binary.BigEndian.Uint64(h[24:])) != HDRHighestNS ||
		binary.BigEndian.Uint64(h[32:]) != math.Float64bits(1) {
		return false
	}
	buf := bytes.NewBuffer(d.inner[:v2HeaderSize])
	got, err := buf.ReadFrom(io.LimitReader(d.zr, payload+1))
	d.inner = buf.Bytes()
	return err == nil && got == payload
}

// counts reads the buckets in d.inner (the library's zig-zag LEB128
// varints, a negative one a run of empty buckets) into d.pairs.
func (d *Decoder) counts() bool {
	d.pairs = d.pairs[:0]
	payload := d.inner[v2HeaderSize:]
	var index, total int64
	for pos := 0; pos < len(payload); {
		count, n, ok := zigZag(payload[pos:])
		if !ok {
			return false
		}
		pos += n
		switch {
		case count < 0:
			zeros := -count
			if zeros <= 0 || zeros > countsLen-index {
				return false
			}
			index += zeros
			continue
		case index >= countsLen:
			return false
		case count > 0:
			if count > math.MaxInt64-total {
				return false
			}
			total += count
			d.pairs = append(d.pairs, [2]int64{index, count})
		}
		index++
	}
	return true
}

// zigZag reads one of the library's ZigZag LEB128-64b9B numbers from b:
// seven bits a byte, low first, while the high bit is set, and a ninth
// byte of eight bits; false when b ends inside it.
func zigZag(b []byte) (v int64, n int, ok bool) {
	var u uint64
	for n < 8 {
		if n >= len(b) {
			return 0, 0, false
		}
		c := b[n]
		u |= uint64(c&0x7f) << (7 * n)
		n++
		if c&0x80 == 0 {
			return int64((u >> 1) ^ -(u & 1)), n, true
		}
	}
	if n >= len(b) {
		return 0, 0, false
	}
	u |= uint64(b[n]) << 56
	return int64((u >> 1) ^ -(u & 1)), n + 1, true
}
