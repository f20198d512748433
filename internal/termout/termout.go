package termout

import (
	"io"
	"unicode/utf8"
)

// Filter returns a writer that passes text to w with each control
// character replaced by U+FFFD: C0 (ESC and carriage return among them)
// but newline and tab, DEL, and C1 (U+0080–U+009F, 0xC2 0x80–0x9F in
// UTF-8; the 8-bit CSI is among them). Other bytes, invalid UTF-8
// included, pass unchanged. A write reports all of p consumed unless w
// fails.
func Filter(w io.Writer) io.Writer { return &filter{w: w} }

type filter struct {
	w io.Writer
	// c2: the last write ended in 0xC2, held back until the next byte
	// says whether it starts a C1 control.
	c2  bool
	out []byte
}

var replacement = []byte(string(utf8.RuneError))

func (f *filter) Write(p []byte) (int, error) {
	if !f.c2 && clean(p) {
		return f.w.Write(p)
	}
	out := f.out[:0]
	for i := 0; i < len(p); i++ {
		c := p[i]
		if f.c2 {
			f.c2 = false
			if c >= 0x80 && c <= 0x9f {
				out = append(out, replacement...)
				continue
			}
			out = append(out, 0xc2)
		}
		switch {
		case c == 0xc2 && i+1 == len(p):
			f.c2 = true
		case c == 0xc2 && p[i+1] >= 0x80 && p[i+1] <= 0x9f:
			out = append(out, replacement...)
			i++
		case c < 0x20 && c != '\n' && c != '\t', c == 0x7f:
			out = append(out, replacement...)
		default:
			out = append(out, c)
		}
	}
	f.out = out
	if _, err := f.w.Write(out); err != nil {
		return 0, err
	}
	return len(p), nil
}

// clean reports whether p needs no change: no control byte and no 0xC2.
func clean(p []byte) bool {
	for _, c := range p {
		if c < 0x20 && c != '\n' && c != '\t' || c == 0x7f || c == 0xc2 {
			return false
		}
	}
	return true
}
