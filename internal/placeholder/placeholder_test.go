package placeholder

import (
	"regexp"
	"strings"
	"testing"
)

func compile(t *testing.T, cols []string, text string, mode Mode) *Template {
	t.Helper()
	c, err := NewCompiler(cols)
	if err != nil {
		t.Fatal(err)
	}
	tm, err := c.Compile(text, mode)
	if err != nil {
		t.Fatalf("Compile(%q): %v", text, err)
	}
	return tm
}

func TestRender(t *testing.T) {
	cols := []string{"user", "term"}
	row := []string{"ann", "a b&c/é"}
	tests := []struct {
		name, text string
		mode       Mode
		want       string
	}{
		{"literal", "plain text", Raw, "plain text"},
		{"empty", "", Raw, ""},
		{"seq", "id={{seq}}", Raw, "id=41"},
		{"spaces", "{{ seq }}-{{  user }}", Raw, "41-ann"},
		{"column raw", `{"user": "{{user}}", "q": "{{term}}"}`, Raw, `{"user": "ann", "q": "a b&c/é"}`},
		{"column in url", "/search?q={{term}}&u={{user}}", URL, "/search?q=a%20b%26c%2F%C3%A9&u=ann"},
		{"escaped", `\{{seq}} {{seq}}`, Raw, "{{seq}} 41"},
		{"lone backslash", `a\b \{ \{{`, Raw, `a\b \{ {{`},
		{"closing only", "a }} b", Raw, "a }} b"},
		{"rand_int single", "{{rand_int 7 7}}", Raw, "7"},
		{"rand_int negative", "{{rand_int -3 -3}}", Raw, "-3"},
		{"attempt", "{{seq}}.{{attempt}}", Raw, "41.2"},
		{"attempt spaces", "a={{ attempt }}", URL, "a=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tm := compile(t, cols, tt.text, tt.mode)
			got := string(tm.Append(nil, &Vars{Seed: 1, Seq: 41, Attempt: 2, Row: row}))
			if got != tt.want {
				t.Errorf("render %q = %q, want %q", tt.text, got, tt.want)
			}
		})
	}
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"{{nope}}", `placeholder {{nope}}: unknown placeholder "nope" (data columns: user; built-ins: seq, attempt, uuid, rand_int A B)`},
		{"a {{seq", `"{{seq" at byte 3 is not closed with }}`},
		{"{{}}", "placeholder {{}}: no name"},
		{"{{seq 1}}", "seq takes no arguments"},
		{"{{uuid x}}", "uuid takes no arguments"},
		{"{{attempt 1}}", "attempt takes no arguments"},
		{"{{rand_int 1}}", "want {{rand_int A B}}"},
		{"{{rand_int 5 1}}", "want {{rand_int A B}}"},
		{"{{rand_int a 1}}", "want {{rand_int A B}}"},
		{"{{rand_int 1 99999999999999999999}}", "want {{rand_int A B}}"},
		{"{{a b}}", `unknown placeholder "a"`},
		{"{{ {{seq}} }}", "do not nest"},
	}
	for _, tt := range tests {
		c, _ := NewCompiler([]string{"user"})
		_, err := c.Compile(tt.text, Raw)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Compile(%q) = %v, want %q", tt.text, err, tt.want)
		}
	}
	c, _ := NewCompiler(nil)
	if _, err := c.Compile("{{user}}", Raw); err == nil || !strings.Contains(err.Error(), "no data file") {
		t.Errorf("no data: %v", err)
	}
	for _, cols := range [][]string{{"seq"}, {"a", "a"}, {"rand_int"}, {"attempt"}} {
		if _, err := NewCompiler(cols); err == nil {
			t.Errorf("NewCompiler(%q) accepted", cols)
		}
	}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestUUID: the format of RFC 9562 version 4, one value per arrival
// (equal in header and body), different across arrivals and seeds.
func TestUUID(t *testing.T) {
	c, _ := NewCompiler(nil)
	h, _ := c.Compile("{{uuid}}", Raw)
	b, _ := c.Compile("{{uuid}}", Raw)
	seen := map[string]bool{}
	for seed := uint64(0); seed < 3; seed++ {
		for seq := uint64(0); seq < 1000; seq++ {
			v := &Vars{Seed: seed, Seq: seq}
			u := string(h.Append(nil, v))
			if !uuidRE.MatchString(u) {
				t.Fatalf("uuid %q", u)
			}
			if u2 := string(b.Append(nil, v)); u2 != u {
				t.Fatalf("same arrival, two uuids %q %q", u, u2)
			}
			if seen[u] {
				t.Fatalf("uuid %q repeated", u)
			}
			seen[u] = true
		}
	}
}

// TestRandInt: values stay in [A, B], every value of a small range occurs,
// two occurrences draw independently, and the draws depend only on
// (seed, seq): rendering in any order gives the same text.
func TestRandInt(t *testing.T) {
	tm := compile(t, nil, "{{rand_int -2 3}},{{rand_int -2 3}}", Raw)
	count := map[string]int{}
	same := 0
	const n = 6000
	for seq := uint64(0); seq < n; seq++ {
		a, b, _ := strings.Cut(string(tm.Append(nil, &Vars{Seed: 9, Seq: seq})), ",")
		count[a]++
		if a == b {
			same++
		}
	}
	if len(count) != 6 {
		t.Fatalf("values %v, want -2..3", count)
	}
	for v, k := range count {
		// Each value has p = 1/6: mean 1000, sd √(6000·(1/6)·(5/6)) ≈ 28.9;
		// 6 sd is a bound no fair draw crosses by chance (p ≈ 2e-9).
		if k < 1000-6*29 || k > 1000+6*29 {
			t.Errorf("value %s drawn %d times of %d", v, k, n)
		}
	}
	// Independent occurrences agree with p = 1/6: 1000 ± 6·28.9.
	if same < 1000-6*29 || same > 1000+6*29 {
		t.Errorf("the two occurrences agreed %d times of %d: not independent", same, n)
	}
	for seq := uint64(n); seq > 0; seq-- { // backwards: same values
		v := &Vars{Seed: 9, Seq: seq - 1}
		if string(tm.Append(nil, v)) != string(tm.Append(nil, v)) {
			t.Fatal("not a function of (seed, seq)")
		}
	}
	full := compile(t, nil, "{{rand_int -9223372036854775808 9223372036854775807}}", Raw)
	if got := string(full.Append(nil, &Vars{Seq: 1})); got == "" {
		t.Error("full range rendered nothing")
	}
}

// TestAttemptKeepsTheRest: a retry renders what its first attempt did
// but for {{attempt}} — the same seq, uuid, rand_int draws and data row.
func TestAttemptKeepsTheRest(t *testing.T) {
	tm := compile(t, []string{"user"}, "{{seq}} {{uuid}} {{rand_int 0 1000000}} {{user}} {{attempt}}", Raw)
	for seq := uint64(0); seq < 200; seq++ {
		v := &Vars{Seed: 5, Seq: seq, Row: []string{"ann"}}
		first := string(tm.Append(nil, v))
		for a := uint32(1); a < 4; a++ {
			v.Attempt = a
			got := string(tm.Append(nil, v))
			want := strings.TrimSuffix(first, " 0") + " " + string(rune('0'+a))
			if !strings.HasSuffix(first, " 0") || got != want {
				t.Fatalf("seq %d attempt %d rendered %q, first attempt %q", seq, a, got, first)
			}
		}
	}
	if compile(t, nil, "{{attempt}}", Raw).Static() {
		t.Error("{{attempt}} is not static")
	}
}

func TestStaticAndColumns(t *testing.T) {
	if !compile(t, nil, `a \{{b}}`, Raw).Static() || compile(t, nil, "{{seq}}", Raw).Static() {
		t.Error("Static")
	}
	if got := compile(t, []string{"a", "b"}, "{{b}}{{a}}{{b}}", Raw).Columns(); len(got) != 3 || got[0] != 1 || got[1] != 0 {
		t.Errorf("Columns = %v", got)
	}
	if got := string(Literal("{{x}}").Append(nil, &Vars{})); got != "{{x}}" {
		t.Errorf("Literal = %q", got)
	}
}

// TestAllocs: rendering into a buffer with room allocates nothing.
func TestAllocs(t *testing.T) {
	tm := compile(t, []string{"user"}, `{"id": "{{uuid}}", "n": {{rand_int 1 100}}, "u": "{{user}}", "seq": {{seq}}, "try": {{attempt}}}`, Raw)
	u := compile(t, []string{"user"}, "/u/{{user}}?s={{seq}}&a={{attempt}}", URL)
	buf := make([]byte, 0, 512)
	v := &Vars{Seed: 1, Row: []string{"a b"}}
	if n := testing.AllocsPerRun(1000, func() {
		v.Seq++
		v.Attempt = uint32(v.Seq % 4)
		buf = tm.Append(buf[:0], v)
		buf = u.Append(buf, v)
	}); n != 0 {
		t.Errorf("%v allocs per render, want 0", n)
	}
}

func BenchmarkAppend(b *testing.B) {
	c, _ := NewCompiler([]string{"user", "term"})
	tm, _ := c.Compile(`{"id": "{{uuid}}", "n": {{rand_int 1 100}}, "u": "{{user}}", "seq": {{seq}}}`, Raw)
	u, _ := c.Compile("/search?q={{term}}", URL)
	buf := make([]byte, 0, 512)
	v := &Vars{Seed: 1, Row: []string{"someone", "shoes red"}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		v.Seq = uint64(i)
		buf = tm.Append(buf[:0], v)
		buf = u.Append(buf, v)
	}
}

// FuzzCompile: any text compiles or errors, never panics; a compiled
// template renders; text without "{{" renders as itself, and `\{{` always
// renders as "{{".
func FuzzCompile(f *testing.F) {
	for _, s := range []string{"", "{{seq}}", "{{attempt}}", `\{{`, "{{rand_int 1 2}}", "{{ user }}", "{{", "}}{{", `\\{{seq}}`, "{{rand_int -1 -9223372036854775808}}"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, _ := NewCompiler([]string{"user"})
		tm, err := c.Compile(text, Raw)
		if err != nil {
			return
		}
		got := string(tm.Append(nil, &Vars{Seq: 3, Row: []string{"x"}}))
		if !strings.Contains(text, "{{") && got != text {
			t.Fatalf("%q rendered %q", text, got)
		}
		if want := strings.ReplaceAll(text, `\{{`, "{{"); !strings.Contains(strings.ReplaceAll(text, `\{{`, ""), "{{") && got != want {
			t.Fatalf("%q rendered %q, want %q", text, got, want)
		}
	})
}

// TestRetryStream: the jitter draws of an arrival's retries are uniform
// and unrelated to each other and to its other draws.
func TestRetryStream(t *testing.T) {
	const n = 20000
	var sum float64
	same := 0
	for seq := uint64(0); seq < n; seq++ {
		u1 := Float(Draw(7, StreamRetry+1, seq))
		u2 := Float(Draw(7, StreamRetry+2, seq))
		if u1 < 0 || u1 >= 1 {
			t.Fatalf("u %g outside [0, 1)", u1)
		}
		sum += u1
		if (u1 < 0.5) == (u2 < 0.5) {
			same++
		}
		if Draw(7, StreamRetry+1, seq) == Draw(7, StreamUUID, seq) {
			t.Fatal("a retry's draw equals the arrival's UUID draw")
		}
	}
	// Mean of n uniforms: 0.5 ± 6·√(1/12/n) ≈ 0.5 ± 0.0122; agreement of
	// independent halves: n/2 ± 6·√(n/4) ≈ 10000 ± 424.
	if m := sum / n; m < 0.5-0.0123 || m > 0.5+0.0123 {
		t.Errorf("mean jitter draw %g", m)
	}
	if same < n/2-424 || same > n/2+424 {
		t.Errorf("retries 1 and 2 agreed on the half %d times of %d: not independent", same, n)
	}
}
