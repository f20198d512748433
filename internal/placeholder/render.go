package placeholder

import (
	"math/bits"
	"strconv"
)

// Vars are what one arrival's placeholders render from.
type Vars struct {
	Seed uint64 // the run's seed
	Seq  uint64 // the arrival's index in the whole plan
	// Attempt is the attempt of the arrival's logical request being sent:
	// 0 for the first, n for the n-th retry (issue #17). Retries keep Seq,
	// so {{seq}}, {{uuid}}, {{rand_int}} and the data row are the first
	// attempt's; only {{attempt}} changes.
	Attempt uint32
	Row     []string // the arrival's data row (nil without data)
}

// Append renders the template for v onto dst and returns the extended
// slice. It allocates nothing once dst has room. A column the row lacks
// renders as nothing.
func (t *Template) Append(dst []byte, v *Vars) []byte {
	for i := range t.segs {
		s := &t.segs[i]
		switch s.kind {
		case kLiteral:
			dst = append(dst, s.lit...)
		case kSeq:
			dst = strconv.AppendUint(dst, v.Seq, 10)
		case kAttempt:
			dst = strconv.AppendUint(dst, uint64(v.Attempt), 10)
		case kUUID:
			dst = appendUUID(dst, Draw(v.Seed, StreamUUID, v.Seq), Draw(v.Seed, StreamUUID+1, v.Seq))
		case kRandInt:
			dst = strconv.AppendInt(dst, s.randInt(Draw(v.Seed, s.draw, v.Seq)), 10)
		case kColumn:
			if s.col < len(v.Row) {
				if t.mode == URL {
					dst = appendEscaped(dst, v.Row[s.col])
				} else {
					dst = append(dst, v.Row[s.col]...)
				}
			}
		}
	}
	return dst
}

// randInt maps 64 random bits into [lo, lo+span) by Lemire's
// multiply-shift (bias at most span/2^64).
func (s *segment) randInt(x uint64) int64 {
	if s.span == 0 {
		return int64(x)
	}
	hi, _ := bits.Mul64(x, s.span)
	return int64(uint64(s.lo) + hi)
}

const hexDigits = "0123456789abcdef"

// appendUUID writes a version-4, variant-1 UUID (RFC 9562 §5.4) from 128
// random bits.
func appendUUID(dst []byte, hi, lo uint64) []byte {
	hi = hi&^(0xf<<12) | 0x4<<12 // version 4
	lo = lo&^(0x3<<62) | 0x2<<62 // variant 10
	var b [16]byte
	for i := 0; i < 8; i++ {
		b[i] = byte(hi >> (56 - 8*i))
		b[8+i] = byte(lo >> (56 - 8*i))
	}
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&0xf])
	}
	return dst
}

// appendEscaped percent-encodes every byte that is not unreserved.
func appendEscaped(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&0xf])
	}
	return dst
}
