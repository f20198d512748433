package openloop

import (
	"errors"
	"math/bits"
)

// bufPool lends the event loop's connections the buffer that holds a
// response line cut by a read (a status, header, trailer or chunk-size
// line whose end has not arrived yet) until the rest of it comes, and
// bounds what all connections hold together.
//
// A connection holds a buffer only while such a line is pending: it gives
// it back as soon as the line is complete, and when its response ends or
// fails. So memory follows the connections that are in the middle of a
// line at that moment, not the number of connections, and a line is at
// most H1MaxHeaderBytes long (the parsers' limit) plus one read.
//
// Buffers come in powers of two from bufMin bytes. Those given back are
// kept for reuse up to a sixteenth of the limit, and count against the
// limit too: lent plus kept never passes it. A loan that would pass it is
// refused, and the caller fails its request (errBuffersFull, error class
// other; the count becomes a warning of the run).
type bufPool struct {
	limit   int // bytes, lent and kept together; ≤ 0: DefaultLoopBufferBytes
	lent    int // bytes lent now
	kept    int // bytes in the free lists
	peak    int // the most bytes lent at once
	free    [nBufClasses][][]byte
	refused int64 // loans refused because the limit was reached
}

// bufStats is what a run's pool did: the loans it refused (each failed a
// request), the most bytes lent at once, and the bytes still lent when the
// loop ended (what idle connections held: 0 by design).
type bufStats struct {
	refused    int64
	peak, left int
}

func (p *bufPool) stats() bufStats { return bufStats{refused: p.refused, peak: p.peak, left: p.lent} }

// DefaultLoopBufferBytes is the default Config.LoopBufferBytes: 64 MiB,
// which holds a pending 6 KiB line (a long cookie) on each of 10,000
// connections at once, or a 1 MiB one on 64.
const DefaultLoopBufferBytes = 64 << 20

const (
	bufMin      = 512 // bytes, the smallest buffer
	nBufClasses = 13  // 512 B to 2 MiB: H1MaxHeaderBytes and one read fit the largest
)

// errBuffersFull fails a request whose unfinished response line could not
// be held because the loop's buffers for such lines reached their total.
var errBuffersFull = errors.New("response line not buffered: the event loop's buffers for unfinished response lines reached their total limit (all connections together)")

// bufClass is the class of the smallest buffer of at least n bytes.
func bufClass(n int) int {
	if n <= bufMin {
		return 0
	}
	return bits.Len(uint(n-1)) - bits.Len(bufMin-1)
}

func (p *bufPool) max() int {
	if p.limit <= 0 {
		return DefaultLoopBufferBytes
	}
	return p.limit
}

// get lends an empty buffer of capacity at least n bytes, or returns
// false (and counts a refusal) when lending it would pass the limit.
func (p *bufPool) get(n int) ([]byte, bool) {
	c := bufClass(n)
	if c >= nBufClasses {
		p.refused++
		return nil, false
	}
	size := bufMin << c
	if fl := p.free[c]; len(fl) > 0 {
		b := fl[len(fl)-1]
		fl[len(fl)-1] = nil
		p.free[c] = fl[:len(fl)-1]
		p.kept -= size
		p.lend(size)
		return b, true
	}
	lim := p.max()
	if p.lent+size > lim {
		p.refused++
		return nil, false
	}
	// Let kept buffers go, the largest first, until this one fits.
	for k := nBufClasses - 1; k >= 0 && p.lent+p.kept+size > lim; k-- {
		for len(p.free[k]) > 0 && p.lent+p.kept+size > lim {
			p.free[k][len(p.free[k])-1] = nil
			p.free[k] = p.free[k][:len(p.free[k])-1]
			p.kept -= bufMin << k
		}
	}
	p.lend(size)
	return make([]byte, 0, size), true
}

func (p *bufPool) lend(size int) {
	p.lent += size
	p.peak = max(p.peak, p.lent)
}

// put takes back a buffer that get lent (nil: nothing).
func (p *bufPool) put(b []byte) {
	if cap(b) == 0 {
		return
	}
	c := bufClass(cap(b))
	size := bufMin << c
	p.lent -= size
	if p.kept+size > p.max()/16 {
		return // the garbage collector takes it
	}
	p.free[c] = append(p.free[c], b[:0])
	p.kept += size
}
