package termout

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

func TestFilter(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain text\n\twith a tab\n", "plain text\n\twith a tab\n"},
		{"\x1b[31mred\x1b[0m", "\ufffd[31mred\ufffd[0m"},
		{"title \x1b]0;pwned\x07 bell", "title \ufffd]0;pwned\ufffd bell"},
		{"over\rwrite", "over\ufffdwrite"},
		{"del\x7f", "del\ufffd"},
		{"8-bit CSI \u009b31m", "8-bit CSI \ufffd31m"},
		{"é ü ½ µs — ×", "é ü ½ µs — ×"},                       // 0xC2 and 0xC3 as lead bytes of printable runes
		{"invalid \xff\xc2 and \xc2", "invalid \xff\xc2 and "}, // a final 0xC2 waits for the next write
	} {
		var b bytes.Buffer
		w := Filter(&b)
		if n, err := w.Write([]byte(tc.in)); err != nil || n != len(tc.in) {
			t.Fatalf("%q: n %d err %v", tc.in, n, err)
		}
		if got := b.String(); got != tc.want {
			t.Errorf("Filter(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// A C1 control split across two writes (a buffered writer's flush can
// fall between its bytes) is still caught, and a printable rune so split
// passes whole.
func TestFilterSplitRune(t *testing.T) {
	for _, tc := range []struct{ a, b, want string }{
		{"x\xc2", "\x9by", "x\ufffdy"},
		{"x\xc2", "\xb5s", "xµs"},
	} {
		var out bytes.Buffer
		w := Filter(&out)
		w.Write([]byte(tc.a))
		w.Write([]byte(tc.b))
		if out.String() != tc.want {
			t.Errorf("%q + %q = %q, want %q", tc.a, tc.b, out.String(), tc.want)
		}
	}
}

// FuzzFilter: what comes out has no control character but newline and
// tab, and text with none passes unchanged.
func FuzzFilter(f *testing.F) {
	f.Add([]byte("\x1b[2J\u009b\r\n\tok µs"), 3)
	f.Fuzz(func(t *testing.T, p []byte, cut int) {
		var out bytes.Buffer
		w := Filter(&out)
		cut = min(max(cut, 0), len(p))
		w.Write(p[:cut])
		w.Write(p[cut:])
		w.Write([]byte("\n")) // flushes a held 0xC2
		for i, r := range out.String() {
			if r == utf8.RuneError || r == '\n' || r == '\t' {
				continue
			}
			if r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f {
				t.Fatalf("control %U at %d in %q (from %q)", r, i, out.String(), p)
			}
		}
		if clean(p) && out.String() != string(p)+"\n" {
			t.Fatalf("clean %q came out %q", p, out.String())
		}
	})
}
