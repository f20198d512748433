package placeholder

import (
	"fmt"

	"strconv"
	"strings"
)

// Mode says how a rendered value is written into the text around it.
type Mode uint8

const (
	// Raw writes values as they are (header values, bodies).
	Raw Mode = iota
	// URL percent-encodes every byte of a value that is not an RFC 3986
	// unreserved character (ALPHA DIGIT - . _ ~), so a value is always
	// data and never changes the URL's structure ("a&b" → "a%26b").
	URL
)

type kind uint8

const (
	kLiteral kind = iota
	kSeq
	kAttempt
	kUUID
	kRandInt
	kColumn
)

type segment struct {
	kind kind
	lit  string // kLiteral
	col  int    // kColumn: index in the row
	lo   int64  // kRandInt: A
	span uint64 // kRandInt: B − A + 1 (0: the whole int64 range)
	draw uint64 // kRandInt: the occurrence's stream
}

// Template is compiled text. The zero value renders nothing. Safe for
// concurrent use.
type Template struct {
	segs []segment
	mode Mode
}

// Compiler compiles the texts of one request set against its data columns;
// it numbers the rand_int occurrences so that each draws its own value.
// Not safe for concurrent use.
type Compiler struct {
	cols  map[string]int
	names []string
	draws uint64
}

// Builtins are the placeholder names a data column may not take.
var Builtins = []string{"seq", "attempt", "uuid", "rand_int"}

// NewCompiler returns a compiler for data with the given column names (in
// row order); a column named like a built-in or twice is an error.
func NewCompiler(columns []string) (*Compiler, error) {
	c := &Compiler{cols: make(map[string]int, len(columns)), names: columns}
	for i, name := range columns {
		for _, b := range Builtins {
			if name == b {
				return nil, fmt.Errorf("column %q has the name of a built-in placeholder", name)
			}
		}
		if _, dup := c.cols[name]; dup {
			return nil, fmt.Errorf("column %q appears twice", name)
		}
		c.cols[name] = i
	}
	return c, nil
}

// Literal returns a template that renders text as it is (no placeholders).
func Literal(text string) *Template {
	if text == "" {
		return &Template{}
	}
	return &Template{segs: []segment{{kind: kLiteral, lit: text}}}
}

// Compile parses text once. The error names the placeholder at fault.
func (c *Compiler) Compile(text string, mode Mode) (*Template, error) {
	t := &Template{mode: mode}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t.segs = append(t.segs, segment{kind: kLiteral, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], `\{{`):
			lit.WriteString("{{")
			i += 3
		case strings.HasPrefix(text[i:], "{{"):
			end := strings.Index(text[i+2:], "}}")
			if end < 0 {
				return nil, fmt.Errorf("%q at byte %d is not closed with }} (write \\{{ for a literal {{)", clip(text[i:]), i+1)
			}
			inner := text[i+2 : i+2+end]
			seg, err := c.placeholder(inner)
			if err != nil {
				return nil, fmt.Errorf("placeholder {{%s}}: %v", clip(inner), err)
			}
			flush()
			t.segs = append(t.segs, seg)
			i += 2 + end + 2
		default:
			lit.WriteByte(text[i])
			i++
		}
	}
	flush()
	return t, nil
}

func (c *Compiler) placeholder(inner string) (segment, error) {
	if strings.Contains(inner, "{{") {
		return segment{}, fmt.Errorf("placeholders do not nest")
	}
	f := strings.Fields(inner)
	if len(f) == 0 {
		return segment{}, fmt.Errorf("no name")
	}
	switch f[0] {
	case "seq", "attempt", "uuid":
		if len(f) != 1 {
			return segment{}, fmt.Errorf("%s takes no arguments", f[0])
		}
		switch f[0] {
		case "seq":
			return segment{kind: kSeq}, nil
		case "attempt":
			return segment{kind: kAttempt}, nil
		}
		return segment{kind: kUUID}, nil
	case "rand_int":
		if len(f) != 3 {
			return segment{}, fmt.Errorf("want {{rand_int A B}} with whole numbers A <= B")
		}
		a, errA := strconv.ParseInt(f[1], 10, 64)
		b, errB := strconv.ParseInt(f[2], 10, 64)
		if errA != nil || errB != nil || a > b {
			return segment{}, fmt.Errorf("want {{rand_int A B}} with whole numbers A <= B")
		}
		s := segment{kind: kRandInt, lo: a, span: uint64(b) - uint64(a) + 1, draw: streamDraws + c.draws}
		c.draws++
		return s, nil
	}
	if len(f) != 1 {
		return segment{}, fmt.Errorf("unknown placeholder %q (built-ins: seq, attempt, uuid, rand_int A B)", f[0])
	}
	if col, ok := c.cols[f[0]]; ok {
		return segment{kind: kColumn, col: col}, nil
	}
	if len(c.names) == 0 {
		return segment{}, fmt.Errorf("unknown placeholder %q: no data file gives columns (built-ins: seq, attempt, uuid, rand_int A B)", f[0])
	}
	return segment{}, fmt.Errorf("unknown placeholder %q (data columns: %s; built-ins: seq, attempt, uuid, rand_int A B)", f[0], strings.Join(c.names, ", "))
}

// clip shortens text quoted in an error.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// Static reports whether the template has no placeholder: it renders the
// same text for every arrival.
func (t *Template) Static() bool {
	for _, s := range t.segs {
		if s.kind != kLiteral {
			return false
		}
	}
	return true
}

// Columns returns the data columns (row indexes) the template reads.
func (t *Template) Columns() []int {
	var out []int
	for _, s := range t.segs {
		if s.kind == kColumn {
			out = append(out, s.col)
		}
	}
	return out
}
