package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bploadgen/bploadgen/internal/golden"
	"github.com/bploadgen/bploadgen/internal/merge/mergetest"
	"github.com/bploadgen/bploadgen/internal/result"
)

// mergeSpec is a small 2-stage plan for the command tests.
func mergeSpec(shards int) mergetest.Spec {
	return mergetest.Spec{
		Start:   time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
		URL:     "http://127.0.0.1:8080/",
		Profile: "step",
		Stages: []result.PlanStage{
			{Name: "step 1 @ 200 rps", StartS: 0, DurationS: 3, Rate: 200},
			{Name: "step 2 @ 400 rps", StartS: 3, DurationS: 3, Rate: 400},
		},
		Arrival: "uniform",
		Seed:    3,
		Service: 2 * time.Millisecond,
		Reject:  0.01,
		Shards:  shards,
	}
}

// writeMergeResults writes rs as shard-1.json ... into dir and returns the paths.
func writeMergeResults(t *testing.T, dir, prefix string, rs []*result.Result) []string {
	t.Helper()
	paths := make([]string, len(rs))
	for i, r := range rs {
		paths[i] = filepath.Join(dir, prefix+"-"+string(rune('1'+i))+".json")
		if err := result.WriteFile(paths[i], r); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// mergeMain runs the command line and returns the exit code, stdout, stderr.
func mergeMain(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, now: time.Now}
	code := Main(context.Background(), args, e)
	return code, stdout.String(), stderr.String()
}

func TestMergeFlags(t *testing.T) {
	var got *mergeOptions
	e := &env{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}
	cmd := newMergeCmd(e, func(o *mergeOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"a.json", "b.json", "-o", "out.json", "--assert", "p99 < 250ms", "--assert", "ratio(503) < 1%"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	want := mergeOptions{Inputs: []string{"a.json", "b.json"}, Out: "out.json", Asserts: []string{"p99 < 250ms", "ratio(503) < 1%"}}
	if got == nil || strings.Join(got.Inputs, ",") != strings.Join(want.Inputs, ",") || got.Out != want.Out ||
		strings.Join(got.Asserts, "|") != strings.Join(want.Asserts, "|") {
		t.Errorf("options = %+v, want %+v", got, want)
	}
	for _, args := range [][]string{{"merge", "a.json"}, {"merge", "-o", "x.json"}, {"merge", "a.json", "--bogus"}} {
		if code, _, stderr := mergeMain(t, args...); code != exitUsage || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: exit %d, stderr %q; want 2 and one line", args, code, stderr)
		}
	}
}

// Four shards merge into one result whose counts are the sums.
func TestMergeCommandShards(t *testing.T) {
	dir := t.TempDir()
	shards, reqs := mergetest.MustBuild(mergeSpec(4))
	paths := writeMergeResults(t, dir, "shard", shards)
	out := filepath.Join(dir, "merged.json")
	code, stdout, stderr := mergeMain(t, append([]string{"merge", "-o", out}, paths...)...)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	m, err := result.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if m.Total.Scheduled != int64(len(reqs)) || len(m.Merged) != 4 || m.Shard != nil {
		t.Errorf("scheduled %d (want %d), merged %v, shard %v", m.Total.Scheduled, len(reqs), m.Merged, m.Shard)
	}
	ref := result.Summarize(mergetest.Histogram(reqs, mergetest.Latency))
	if m.Total.Latency != ref {
		t.Errorf("total latency %+v, want %+v", m.Total.Latency, ref)
	}
	if !strings.Contains(stdout, "merged from 4 results") {
		t.Errorf("summary does not say it is merged:\n%s", stdout)
	}
}

// merge A A doubles counts; -o - writes the JSON to stdout and the summary
// to stderr.
func TestMergeCommandSelfToStdout(t *testing.T) {
	dir := t.TempDir()
	whole, _ := mergetest.MustBuild(mergeSpec(0))
	a := writeMergeResults(t, dir, "run", whole)[0]
	code, stdout, stderr := mergeMain(t, "merge", a, a, "-o", "-")
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr)
	}
	var m result.Result
	if err := json.Unmarshal([]byte(stdout), &m); err != nil {
		t.Fatalf("stdout is not a result: %v", err)
	}
	if m.Total.Scheduled != 2*whole[0].Total.Scheduled || m.Total.Latency.Max != whole[0].Total.Latency.Max {
		t.Errorf("scheduled %d max %g; want %d and %g", m.Total.Scheduled, m.Total.Latency.Max,
			2*whole[0].Total.Scheduled, whole[0].Total.Latency.Max)
	}
	if !strings.Contains(stderr, "merged from 2 results") {
		t.Errorf("the summary did not go to stderr: %q", stderr)
	}
}

func TestMergeCommandAssertions(t *testing.T) {
	dir := t.TempDir()
	shards, _ := mergetest.MustBuild(mergeSpec(2))
	shards[0].Assertions = []result.Assertion{{Expr: "p99 < 1us", Pass: true}}
	shards[1].Assertions = []result.Assertion{{Expr: "p99 < 1us", Pass: true}, {Expr: "ratio(503) < 50%", Pass: true}}
	paths := writeMergeResults(t, dir, "shard", shards)
	out := filepath.Join(dir, "merged.json")
	for _, c := range []struct {
		asserts []string
		code    int
		assertN int
	}{
		{nil, exitAssertFail, 2},                               // the recorded ones, re-evaluated: p99 < 1us fails
		{[]string{"p99 < 10s", "ratio(503) < 50%"}, exitOK, 2}, // --assert replaces them
		{[]string{"p99 < 10s in each stage"}, exitOK, 2},
		{[]string{"p99 < 1us in stage 2"}, exitAssertFail, 1},
		{[]string{`p99 < 1us in stage "step 2 @ 400 rps"`}, exitAssertFail, 1}, // the same stage, by its name
		{[]string{`p99 < 10s in stage "step 2 @ 400 rps"`}, exitOK, 1},
	} {
		args := append([]string{"merge", "-o", out}, paths...)
		for _, a := range c.asserts {
			args = append(args, "--assert", a)
		}
		code, _, stderr := mergeMain(t, args...)
		if code != c.code {
			t.Errorf("%q: exit %d, want %d (stderr %s)", c.asserts, code, c.code, stderr)
			continue
		}
		m, err := result.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(m.Assertions) != c.assertN {
			t.Errorf("%q: %d assertions recorded, want %d", c.asserts, len(m.Assertions), c.assertN)
		}
	}
}

// Refusals: exit 2 with one line naming the file and the field (golden),
// exit 3 when the output cannot be written.
func TestMergeCommandErrors(t *testing.T) {
	dir := t.TempDir()
	shards, _ := mergetest.MustBuild(mergeSpec(2))
	paths := writeMergeResults(t, dir, "shard", shards)
	other := mergeSpec(2)
	other.Stages[1].Rate = 500
	otherShards, _ := mergetest.MustBuild(other)
	otherPaths := writeMergeResults(t, dir, "other", otherShards)
	whole, _ := mergetest.MustBuild(mergeSpec(0))
	wholePath := writeMergeResults(t, dir, "whole", whole)[0]
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"schema": "bploadgen.result/v0"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out.json")
	var transcript strings.Builder
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{paths[0], otherPaths[1]}, exitUsage},
		{[]string{paths[0], paths[0]}, exitUsage},
		{[]string{paths[0], wholePath}, exitUsage},
		{[]string{paths[0], bad}, exitUsage},
		{[]string{paths[0], filepath.Join(dir, "missing.json")}, exitUsage},
		{[]string{paths[0], paths[1], "--assert", "p99 < 250"}, exitUsage},
		{[]string{paths[0], paths[1], "--assert", "p99 < 250ms in stage 3"}, exitUsage},
		{[]string{paths[0], paths[1], "-o", filepath.Join(dir, "no", "such", "dir", "out.json")}, exitRunFailed},
	} {
		code, _, stderr := mergeMain(t, append([]string{"merge", "-o", out}, c.args...)...)
		if code != c.code {
			t.Errorf("%q: exit %d, want %d", c.args, code, c.code)
		}
		if strings.Count(stderr, "\n") != 1 {
			t.Errorf("%q: stderr is not one line: %q", c.args, stderr)
		}
		transcript.WriteString(strings.ReplaceAll(stderr, dir+string(filepath.Separator), ""))
	}
	golden.Check(t, filepath.Join("testdata", "merge_errors.golden"), []byte(transcript.String()))
}
