package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
)

// TestResultFileExtremes: every numeric field of a result file set to the
// top of float64 and the bottom of int64, one field (in every window, stage or
// request of the file) at a time, through every command that reads a
// result (report with each output, analyze, compare, merge): each answers
// with an exit code of the table. A fuzzer rarely reaches these values;
// they found a stack overflow (numfmt.Int of math.MinInt64), an axis
// widened to +Inf and a wrapped loop bound, each a crash or a hang. A
// hang shows as the test's timeout.
func TestResultFileExtremes(t *testing.T) {
	if testing.Short() {
		t.Skip("hundreds of commands")
	}
	seed := mergetest.Seeds()[0] // a step run with 503s, timeouts and not-sent
	var doc any
	if err := decodeNumbers(seed, &doc); err != nil {
		t.Fatal(err)
	}
	paths := numberPaths(doc, nil, nil)
	if len(paths) < 50 {
		t.Fatalf("%d numeric fields in the seed: not the result expected", len(paths))
	}
	dir := t.TempDir()
	in, base := filepath.Join(dir, "x.json"), filepath.Join(dir, "base.json")
	if err := os.WriteFile(base, seed, 0o644); err != nil {
		t.Fatal(err)
	}
	out := func(name string) string { return filepath.Join(dir, name) }
	commands := [][]string{
		{"report", in, "--html", out("r.html"), "--md", out("r.md"), "--junit", out("r.xml"), "--csv", out("r.csv"), "--hlog", out("r.hlog")},
		{"report", in},
		{"analyze", in},
		{"analyze", in, "--json", "--workers", "4", "--queue", "8"},
		{"compare", base, in},
		{"merge", in, in, "-o", out("m.json")},
	}
	// Under the race detector (the suite's command) every 8th field, the
	// rest of them without it: all of them cost ~40 s there.
	stride := 1
	if raceEnabled {
		stride = 8
	}
	for i := 0; i < len(paths); i += stride {
		p := paths[i]
		for _, v := range []json.Number{"1.7e308", "-9223372036854775808"} {
			var d any
			_ = decodeNumbers(seed, &d)
			setAll(d, p, v)
			b, err := json.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(in, b, 0o644); err != nil {
				t.Fatal(err)
			}
			for _, args := range commands {
				te := newTestEnv()
				if code := Main(context.Background(), args, &te.env); !slices.Contains([]int{exitOK, exitAssertFail, exitUsage, exitRunFailed}, code) {
					t.Errorf("%s = %s: %s: exit %d: %s", strings.Join(p, "."), v, args[0], code, te.errb.String())
				}
			}
		}
	}
}

func decodeNumbers(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	return dec.Decode(v)
}

// numberPaths lists the numeric leaves of v as paths, a list's elements
// as "*" (the first two of each list stand for the rest).
func numberPaths(v any, path []string, out [][]string) [][]string {
	switch x := v.(type) {
	case json.Number:
		for _, q := range out {
			if slices.Equal(q, path) {
				return out
			}
		}
		return append(out, slices.Clone(path))
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			out = numberPaths(x[k], append(path, k), out)
		}
	case []any:
		for _, e := range x[:min(2, len(x))] {
			out = numberPaths(e, append(path, "*"), out)
		}
	}
	return out
}

// setAll sets every leaf of v at path ("*": each element) to n.
func setAll(v any, path []string, n json.Number) {
	if len(path) == 0 {
		return
	}
	last := len(path) == 1
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x[path[0]]; !ok {
			return
		}
		if last {
			x[path[0]] = n
			return
		}
		setAll(x[path[0]], path[1:], n)
	case []any:
		if path[0] != "*" {
			return
		}
		for i := range x {
			if last {
				x[i] = n
			} else {
				setAll(x[i], path[1:], n)
			}
		}
	}
}
