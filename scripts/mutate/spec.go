package main

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
)

// Mutation is one block of a mutation list.
type Mutation struct {
	Name  string   // unique, kebab-case
	Claim string   // the claim it attacks, verbatim in docs/claims.md
	File  string   // slash-separated path from the repository root
	Func  string   // "Func" or "Type.Method"
	From  string   // exact text, once inside Func
	To    string   // its replacement
	Tests []string // go test package patterns expected to fail
	Where string   // "list.txt:LINE" of the block, for messages
}

var (
	kebab         = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	funcName      = regexp.MustCompile(`^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$`)
	inlineComment = regexp.MustCompile(`[ \t]+#[ \t].*$`)
	required      = []string{"name", "claim", "file", "func", "from", "to", "test"}
)

// Parse reads a mutation list; name is the list's file name for messages
// ("name:LINE: problem"). It checks each block's keys and values, not the
// code they point at (see Locate).
func Parse(name string, r io.Reader) ([]Mutation, error) {
	var out []Mutation
	block := map[string]string{}
	start := 0
	flush := func() error {
		if len(block) == 0 {
			return nil
		}
		m, err := fromBlock(block)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, start, err)
		}
		m.Where = fmt.Sprintf("%s:%d", name, start)
		out = append(out, m)
		clear(block)
		return nil
	}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "":
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		case strings.HasPrefix(trimmed, "#"):
			continue
		}
		key, val, ok := strings.Cut(inlineComment.ReplaceAllString(line, ""), ":")
		key = strings.TrimSpace(key)
		if !ok || !slices.Contains(required, key) {
			return nil, fmt.Errorf("%s:%d: want KEY: VALUE with KEY one of %s, got %q", name, n, strings.Join(required, ", "), line)
		}
		if _, dup := block[key]; dup {
			return nil, fmt.Errorf("%s:%d: %s given twice in one block", name, n, key)
		}
		if len(block) == 0 {
			start = n
		}
		block[key] = strings.TrimSpace(val)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// fromBlock checks one block's keys and values.
func fromBlock(b map[string]string) (Mutation, error) {
	for _, k := range required {
		if _, ok := b[k]; !ok {
			return Mutation{}, fmt.Errorf("block has no %s:", k)
		}
	}
	m := Mutation{Name: b["name"], Claim: b["claim"], File: b["file"], Func: b["func"],
		From: b["from"], To: b["to"], Tests: strings.Fields(b["test"])}
	switch {
	case !kebab.MatchString(m.Name):
		return m, fmt.Errorf("name %q is not kebab-case", m.Name)
	case m.Claim == "":
		return m, fmt.Errorf("%s: empty claim", m.Name)
	case !strings.HasSuffix(m.File, ".go") || strings.HasPrefix(m.File, "/") || strings.Contains(m.File, ".."):
		return m, fmt.Errorf("%s: file %q is not a .go file inside the repository", m.Name, m.File)
	case !funcName.MatchString(m.Func):
		return m, fmt.Errorf("%s: func %q is not Func or Type.Method", m.Name, m.Func)
	case m.From == "":
		return m, fmt.Errorf("%s: empty from", m.Name)
	case m.From == m.To:
		return m, fmt.Errorf("%s: from and to are the same", m.Name)
	case len(m.Tests) == 0:
		return m, fmt.Errorf("%s: no test package", m.Name)
	}
	for _, p := range m.Tests {
		if !strings.HasPrefix(p, "./") {
			return m, fmt.Errorf("%s: test %q is not a relative package pattern like ./internal/foo/", m.Name, p)
		}
	}
	return m, nil
}

// CheckNames returns an error for a name used twice, and for a claim that
// docs/claims.md (its text: claims) does not contain, compared without
// regard to case or runs of white space.
func CheckNames(ms []Mutation, claims string) error {
	claims = normalize(claims)
	seen := map[string]string{}
	for _, m := range ms {
		if w, dup := seen[m.Name]; dup {
			return fmt.Errorf("%s: name %q already used at %s", m.Where, m.Name, w)
		}
		seen[m.Name] = m.Where
		if !strings.Contains(claims, normalize(m.Claim)) {
			return fmt.Errorf("%s: claim %q is not in docs/claims.md", m.Where, m.Claim)
		}
	}
	return nil
}

// normalize lower-cases s and folds runs of white space into one space.
func normalize(s string) string { return strings.Join(strings.Fields(strings.ToLower(s)), " ") }
