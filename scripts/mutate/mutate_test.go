package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixture = `# a comment
name: off-by-one        # trailing comments go
claim: Counting is right
file: pkg/f.go
func: count
from: n <= k
to: n < k
test: ./pkg/ ./other/

name: method-mutation
claim: counting  is RIGHT
file: pkg/f.go
func: T.Get
from: return t.v
to: return 0
test: ./pkg/
`

const source = `package pkg

type T struct{ v int }

func count(k int) int {
	c := 0
	for n := 1; n <= k; n++ {
		c++
	}
	return c
}

func (t *T) Get() int { return t.v }

func (t T) Twice() int { return t.v + t.v }

func other() bool { n, k := 1, 2; return n <= k }
`

func TestParse(t *testing.T) {
	ms, err := Parse("f.txt", strings.NewReader(fixture))
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 2 {
		t.Fatalf("%d mutations, want 2", len(ms))
	}
	m := ms[0]
	if m.Name != "off-by-one" || m.Claim != "Counting is right" || m.File != "pkg/f.go" || m.Func != "count" ||
		m.From != "n <= k" || m.To != "n < k" || strings.Join(m.Tests, ",") != "./pkg/,./other/" || m.Where != "f.txt:2" {
		t.Errorf("first block: %+v", m)
	}
	if ms[1].Where != "f.txt:10" || ms[1].Func != "T.Get" {
		t.Errorf("second block: %+v", ms[1])
	}
	if err := CheckNames(ms, "# Claims\n1. **Counting\nis right.**"); err != nil {
		t.Errorf("claims compared without case and white space: %v", err)
	}
	if err := CheckNames(ms, "Something else"); err == nil || !strings.Contains(err.Error(), "not in docs/claims.md") {
		t.Errorf("unknown claim: %v", err)
	}
	if err := CheckNames([]Mutation{ms[0], ms[0]}, "counting is right"); err == nil || !strings.Contains(err.Error(), "already used") {
		t.Errorf("duplicate name: %v", err)
	}
}

func TestParseErrors(t *testing.T) {
	block := func(drop, replace string) string {
		var out []string
		for _, l := range strings.Split(strings.Split(fixture, "\n\n")[0], "\n") {
			if drop != "" && strings.HasPrefix(l, drop+":") {
				if replace != "" {
					out = append(out, replace)
				}
				continue
			}
			out = append(out, l)
		}
		return strings.Join(out, "\n")
	}
	for _, tt := range []struct{ in, want string }{
		{block("to", ""), "f.txt:2: block has no to:"},
		{block("name", "name: Not_Kebab"), "not kebab-case"},
		{block("func", "func: a.b.c"), "is not Func or Type.Method"},
		{block("file", "file: ../x.go"), "not a .go file inside"},
		{block("to", "to: n <= k"), "from and to are the same"},
		{block("test", "test: internal/foo"), "not a relative package pattern"},
		{block("test", "tests: ./x/"), "f.txt:8: want KEY: VALUE"},
		{block("", "") + "\nname: again", "name given twice"},
	} {
		_, err := Parse("f.txt", strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

func TestApply(t *testing.T) {
	ms, err := Parse("f.txt", strings.NewReader(fixture))
	if err != nil {
		t.Fatal(err)
	}
	// Only the occurrence inside count changes, not the one in other.
	out, err := Apply(ms[0], []byte(source))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(source, "n <= k; n++", "n < k; n++", 1); string(out) != want {
		t.Errorf("Apply:\n%s\nwant\n%s", out, want)
	}
	// A pointer receiver is named without *.
	if out, err = Apply(ms[1], []byte(source)); err != nil || !strings.Contains(string(out), "func (t *T) Get() int { return 0 }") {
		t.Errorf("method: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		m    Mutation
		want string
	}{
		{Mutation{File: "f.go", Func: "T.Twice", From: "t.v", To: "0"}, "occurs 2 times"},
		{Mutation{File: "f.go", Func: "count", From: "absent", To: "x"}, "does not occur"},
		{Mutation{File: "f.go", Func: "T.count", From: "c++", To: "c--"}, "no func T.count"},
		{Mutation{File: "f.go", Func: "Get", From: "t.v", To: "0"}, "no func Get"},
		{Mutation{File: "f.go", Func: "count", From: "c := 0", To: "c := "}, "does not parse"},
	} {
		if _, err := Apply(tt.m, []byte(source)); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Apply(%+v) = %v, want %q", tt.m, err, tt.want)
		}
	}
}

func TestFailures(t *testing.T) {
	out := "--- FAIL: TestA (0.01s)\n    x_test.go:1: boom\n    --- FAIL: TestA/sub (0.00s)\n--- FAIL: TestA (0.01s)\nFAIL\n"
	if got := strings.Join(failures(out), ","); got != "TestA,TestA/sub" {
		t.Errorf("failures = %s", got)
	}
	if got := failures("panic: x\nexit status 2"); len(got) != 1 || got[0] != "exit status 2" {
		t.Errorf("failures without names = %v", got)
	}
}

// TestListsApply: every mutation of the repository's lists parses, names a
// claim of docs/claims.md, and still applies to the code (exactly one
// occurrence in its function, and the result parses), so the lists cannot
// silently rot as the code changes. Running them is the slow part, left to
// `go run ./scripts/mutate`.
func TestListsApply(t *testing.T) {
	root := filepath.Join("..", "..")
	ms, err := load(root, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if _, err := applyIn(root, m); err != nil {
			t.Errorf("%s: %s: %v", m.Where, m.Name, err)
		}
		for _, p := range m.Tests {
			if st, err := os.Stat(filepath.Join(root, filepath.FromSlash(p))); err != nil || !st.IsDir() {
				t.Errorf("%s: %s: test package %s is not a directory", m.Where, m.Name, p)
			}
		}
	}
}
