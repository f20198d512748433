package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

// Verdicts, as printed.
const (
	killed     = "KILLED"
	survived   = "SURVIVED"
	notApplied = "NOT APPLIED"
	noCompile  = "NO COMPILE"
)

// outcome is what happened to one mutation.
type outcome struct {
	m       Mutation
	verdict string
	failed  []string // failing tests (--- FAIL lines), or the error
	took    time.Duration
}

// run is the command: argv (without the program name) → exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mutate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("dir", ".", "repository root")
	only := fs.String("run", "", "only mutations whose name matches this regexp")
	check := fs.Bool("check", false, "parse and apply every mutation, run no test")
	timeout := fs.Duration("timeout", 10*time.Minute, "go test timeout per run")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: go run ./scripts/mutate [-dir DIR] [-run REGEXP] [-check] [-timeout D] [LIST.txt ...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ms, err := load(*dir, fs.Args(), *only)
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	if *check {
		for _, m := range ms {
			if _, err := applyIn(*dir, m); err != nil {
				fmt.Fprintf(stderr, "mutate: %s: %s: %v\n", m.Where, m.Name, err)
				return 1
			}
		}
		fmt.Fprintf(stdout, "%d mutations parse and apply\n", len(ms))
		return 0
	}
	tmp, err := copyRepo(*dir)
	if err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 2
	}
	defer os.RemoveAll(tmp)
	fmt.Fprintf(stderr, "mutate: %d mutations in a copy at %s\n", len(ms), tmp)
	if err := baseline(ctx, tmp, ms, *timeout, stderr); err != nil {
		fmt.Fprintln(stderr, "mutate:", err)
		return 1
	}
	var outs []outcome
	for _, m := range ms {
		o := mutate(ctx, tmp, m, *timeout)
		fmt.Fprintf(stderr, "mutate: %-40s %s (%s)\n", m.Name, o.verdict, o.took.Round(time.Second))
		outs = append(outs, o)
	}
	return report(stdout, outs)
}

// load reads the lists (default scripts/mutations/*.txt under dir), keeps
// the mutations whose name matches only, and checks names and claims.
func load(dir string, lists []string, only string) ([]Mutation, error) {
	if len(lists) == 0 {
		var err error
		if lists, err = filepath.Glob(filepath.Join(dir, "scripts", "mutations", "*.txt")); err != nil || len(lists) == 0 {
			return nil, fmt.Errorf("no lists in %s", filepath.Join(dir, "scripts", "mutations"))
		}
	}
	re, err := regexp.Compile(only)
	if err != nil {
		return nil, fmt.Errorf("-run: %w", err)
	}
	var all []Mutation
	for _, l := range lists {
		f, err := os.Open(l)
		if err != nil {
			return nil, err
		}
		ms, err := Parse(filepath.Base(l), f)
		f.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, ms...)
	}
	claims, err := os.ReadFile(filepath.Join(dir, "docs", "claims.md"))
	if err != nil {
		return nil, err
	}
	if err := CheckNames(all, string(claims)); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(all, func(m Mutation) bool { return !re.MatchString(m.Name) }), nil
}

// applyIn returns m's file under root with m applied.
func applyIn(root string, m Mutation) ([]byte, error) {
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(m.File)))
	if err != nil {
		return nil, err
	}
	return Apply(m, src)
}

// baseline runs each distinct set of test packages once, unmutated: a
// KILLED verdict means something only if the tests pass without it.
func baseline(ctx context.Context, root string, ms []Mutation, timeout time.Duration, stderr io.Writer) error {
	done := map[string]bool{}
	for _, m := range ms {
		key := strings.Join(m.Tests, " ")
		if done[key] {
			continue
		}
		done[key] = true
		start := time.Now()
		out, err := goTest(ctx, root, m.Tests, timeout)
		if err != nil {
			return fmt.Errorf("unmutated, go test %s fails, so no verdict would mean anything:\n%s", key, tail(out, 40))
		}
		fmt.Fprintf(stderr, "mutate: unmutated go test %s passes (%s)\n", key, time.Since(start).Round(time.Second))
	}
	return nil
}

// mutate applies m in the copy at root, runs its tests, and restores the file.
func mutate(ctx context.Context, root string, m Mutation, timeout time.Duration) outcome {
	start := time.Now()
	o := outcome{m: m}
	path := filepath.Join(root, filepath.FromSlash(m.File))
	orig, err := os.ReadFile(path)
	if err != nil {
		o.verdict, o.failed = notApplied, []string{err.Error()}
		return o
	}
	mutated, err := Apply(m, orig)
	if err != nil {
		o.verdict, o.failed = notApplied, []string{err.Error()}
		return o
	}
	defer os.WriteFile(path, orig, 0o644)
	if err := os.WriteFile(path, mutated, 0o644); err != nil {
		o.verdict, o.failed = notApplied, []string{err.Error()}
		return o
	}
	if out, err := goCmd(ctx, root, timeout, "build", "-o", os.DevNull, "./"+filepath.ToSlash(filepath.Dir(m.File))); err != nil {
		o.verdict, o.failed, o.took = noCompile, []string{firstLine(out)}, time.Since(start)
		return o
	}
	out, err := goTest(ctx, root, m.Tests, timeout)
	o.took = time.Since(start)
	switch {
	case err == nil:
		o.verdict = survived
	case strings.Contains(out, "[build failed]") || strings.Contains(out, "[setup failed]"):
		o.verdict, o.failed = noCompile, []string{firstLine(out)}
	default:
		o.verdict, o.failed = killed, failures(out)
	}
	return o
}

// goTest runs go test -race -count=1 on the patterns, as CI does.
func goTest(ctx context.Context, root string, patterns []string, timeout time.Duration) (string, error) {
	return goCmd(ctx, root, timeout+time.Minute, append([]string{"test", "-race", "-count=1", "-timeout", timeout.String()}, patterns...)...)
}

// goCmd runs the go tool in root with a deadline and returns its combined output.
func goCmd(ctx context.Context, root string, limit time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = fmt.Errorf("go %s: no answer within %v", strings.Join(args, " "), limit)
	}
	return string(out), err
}

// failures are the names of the failing tests in go test output, or its
// last line when none is named (a panic, a timeout).
func failures(out string) []string {
	var names []string
	for _, l := range strings.Split(out, "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(l), "--- FAIL: "); ok {
			name, _, _ = strings.Cut(name, " ")
			if !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	if len(names) == 0 {
		return []string{tail(out, 1)}
	}
	return names
}

// report prints the table and the summary and returns the exit status.
func report(w io.Writer, outs []outcome) int {
	fmt.Fprintln(w, "| mutation | function | tests | verdict | failing tests |")
	fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
	counts := map[string]int{}
	for _, o := range outs {
		counts[o.verdict]++
		failed := o.failed
		if len(failed) > 4 {
			failed = append(slices.Clone(failed[:4]), fmt.Sprintf("and %d more", len(failed)-4))
		}
		fmt.Fprintf(w, "| %s | %s %s | %s | %s | %s |\n", o.m.Name, o.m.File, o.m.Func,
			strings.Join(o.m.Tests, " "), o.verdict, strings.ReplaceAll(strings.Join(failed, ", "), "|", "\\|"))
	}
	fmt.Fprintf(w, "\n%d mutations: %d killed, %d survived, %d not applied, %d did not compile\n",
		len(outs), counts[killed], counts[survived], counts[notApplied], counts[noCompile])
	if counts[killed] != len(outs) {
		return 1
	}
	return 0
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
