package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bploadgen/bploadgen/internal/compare"
	"github.com/bploadgen/bploadgen/internal/golden"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

func TestCompareFlags(t *testing.T) {
	var got *compareOptions
	e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	cmd := newCompareCmd(e, func(o *compareOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"base.json", "new.json", "--assert", "p99 < +10%", "--md", "--noise", "3%"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Base != "base.json" || got.New != "new.json" || !got.Markdown || got.JSON ||
		got.Noise != "3%" || strings.Join(got.Asserts, "|") != "p99 < +10%" {
		t.Errorf("options = %+v", got)
	}
	for _, args := range [][]string{
		{"compare", "a.json"},
		{"compare", "a.json", "b.json", "c.json"},
		{"compare", "a.json", "b.json", "--md", "--json"},
	} {
		if code, _, stderr := mergeMain(t, args...); code != exitUsage || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}

// compareFiles writes a base run, the same server with another seed, and a
// 50% slower server.
func compareFiles(t *testing.T) (base, same, slow string) {
	t.Helper()
	dir := t.TempDir()
	s := mergeSpec(0)
	s.Arrival = "poisson"
	s.Stages[0].DurationS, s.Stages[1].StartS, s.Stages[1].DurationS = 6, 6, 6
	b, _ := mergetest.MustBuild(s)
	s.Seed = 4
	n, _ := mergetest.MustBuild(s)
	s.Slowdown = 0.5
	w, _ := mergetest.MustBuild(s)
	return writeMergeResults(t, dir, "base", b)[0], writeMergeResults(t, dir, "same", n)[0], writeMergeResults(t, dir, "slow", w)[0]
}

// The acceptance property through the command: a slower server is flagged
// (exit 1 with an assertion, 0 and a verdict without), an unchanged one
// passes.
func TestCompareCommand(t *testing.T) {
	base, same, slow := compareFiles(t)
	gate := []string{"--assert", "p99 < +10%", "--assert", "ratio(503) < +0.5% in each stage"}

	code, stdout, stderr := mergeMain(t, "compare", base, slow)
	if code != exitOK || !strings.Contains(stdout, "verdict: regression: p50") {
		t.Errorf("slower, no gate: exit %d (stderr %q), stdout:\n%s", code, stderr, stdout)
	}
	code, stdout, _ = mergeMain(t, append([]string{"compare", base, slow}, gate...)...)
	if code != exitAssertFail || !strings.Contains(stdout, "FAIL  p99 < +10%") {
		t.Errorf("slower, gated: exit %d, stdout:\n%s", code, stdout)
	}
	code, stdout, _ = mergeMain(t, append([]string{"compare", base, same}, gate...)...)
	if code != exitOK || !strings.Contains(stdout, "verdict: no significant change") || strings.Contains(stdout, "FAIL") {
		t.Errorf("unchanged, gated: exit %d, stdout:\n%s", code, stdout)
	}
	golden.Check(t, filepath.Join("testdata", "compare.golden"), []byte(strings.ReplaceAll(stdout, filepath.Dir(base)+string(filepath.Separator), "")))
}

func TestCompareCommandFormats(t *testing.T) {
	base, _, slow := compareFiles(t)
	code, stdout, _ := mergeMain(t, "compare", base, slow, "--json", "--assert", "p99 < +10%")
	var rep struct {
		Verdict string `json:"verdict"`
		Checks  []struct {
			Pass bool `json:"pass"`
		} `json:"checks"`
		Sections []json.RawMessage `json:"sections"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, stdout)
	}
	if code != exitAssertFail || rep.Verdict != "regression" || len(rep.Checks) != 1 || rep.Checks[0].Pass || len(rep.Sections) != 3 {
		t.Errorf("--json: exit %d, %+v", code, rep)
	}
	code, stdout, _ = mergeMain(t, "compare", base, slow, "--md")
	if code != exitOK || !strings.HasPrefix(stdout, "### bploadgen compare: regression") || !strings.Contains(stdout, "| p99 |") {
		t.Errorf("--md: exit %d:\n%s", code, stdout)
	}
	// a wider noise band hides the slowdown of the median
	_, stdout, _ = mergeMain(t, "compare", base, slow, "--noise", "90%")
	if !strings.Contains(stdout, "verdict: no significant change") {
		t.Errorf("--noise 90%%:\n%s", stdout)
	}
}

func TestCompareCommandErrors(t *testing.T) {
	base, same, _ := compareFiles(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{base, same, "--assert", "p99 < 10%"}, "has no sign"},
		{[]string{base, same, "--assert", "p99 < +10% in stage 3"}, "stage 3 does not exist"},
		{[]string{base, same, "--noise", "0"}, "--noise"},
		{[]string{base, same, "--noise", "lots"}, "--noise"},
		{[]string{base, filepath.Join(filepath.Dir(base), "missing.json")}, "no such file"},
	} {
		code, _, stderr := mergeMain(t, append([]string{"compare"}, c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

// Two capacity searches (capacity -o) compare by their brackets, as text
// or --json; gates, Markdown and a search against a result are refused.
func TestCompareCapacityDocuments(t *testing.T) {
	dir := t.TempDir()
	doc := func(name string, pass, fail float64) string {
		path := filepath.Join(dir, name)
		c := &result.Capacity{Schema: result.CapacitySchema, Target: result.Target{URL: "http://127.0.0.1:8080/"}, SLO: []string{"p99 < 100ms"},
			CapacityRPS: pass, Bracket: result.CapacityBracket{PassRPS: pass, FailRPS: fail}, StoppedBecause: result.StopPrecision}
		if err := result.WriteCapacityFile(path, c); err != nil {
			t.Fatal(err)
		}
		return path
	}
	four, eight := doc("four.json", 288, 298), doc("eight.json", 623, 641)
	code, stdout, stderr := mergeMain(t, "compare", four, eight)
	if code != exitOK || !strings.Contains(stdout, "verdict: improvement: capacity +335 rps") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, _ = mergeMain(t, "compare", eight, four, "--json")
	var rep compare.CapacityReport
	if err := json.Unmarshal([]byte(stdout), &rep); code != exitOK || err != nil || rep.Verdict != compare.Regression || rep.New.CapacityRPS != 288 {
		t.Errorf("--json: exit %d, %v, %+v", code, err, rep)
	}
	base, _, _ := compareFiles(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{four, base}, "compare two of a kind"},
		{[]string{four, eight, "--assert", "p99 < +10%"}, "--assert gates results"},
		{[]string{four, eight, "--md"}, "--md is for results"},
	} {
		code, _, stderr := mergeMain(t, append([]string{"compare"}, c.args...)...)
		if code != exitUsage || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}
